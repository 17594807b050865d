#!/usr/bin/env bash
# Starts the action server and the Rasa server in the foreground; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

"$BIN/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
"$BIN/rasa" run --enable-api --cors "*" --port "$RASA_PORT" \
  --model models/current.tar.gz --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)

echo "==> starting: Rasa on http://localhost:$RASA_PORT (REST: /webhooks/rest/webhook), actions on :$ACTIONS_PORT"
echo "    try: curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
# Whichever server exits first takes the other down with it.
wait -n "${pids[@]}"
