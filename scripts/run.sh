#!/usr/bin/env bash
# Starts the action server, the delivery worker, the Rasa server and the Help widget in the
# foreground; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WIDGET_PORT=${WIDGET_PORT:-8080}
# The widget stands in for the platform and signs its demo user in with this secret, which
# the action server checks. Without one configured, a random one for this run only.
export HELPDESK_IDENTITY_SECRET=${HELPDESK_IDENTITY_SECRET:-$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')}

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

"$BIN/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
# The delivery worker: sends tickets to the support team's targets (helpdesk.yml) and
# replays tickets journaled while the database was down.
"$BIN/helpdesk" deliver --forever &
pids+=($!)
# `rasa` through scripts/rasa_server.py: the same server minus work Rasa 3.6 repeats on
# every turn, which profiling found to be most of a ticket turn's CPU (README, "Benchmarks").
"$BIN/python" scripts/rasa_server.py run --enable-api --cors "*" --port "$RASA_PORT" \
  --model models/current.tar.gz --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)
# The widget page (widget/server.py): a browser on :$WIDGET_PORT talks to Rasa, hence --cors above.
RASA_URL=${RASA_URL:-http://localhost:$RASA_PORT} "$BIN/python" -m widget.server --port "$WIDGET_PORT" &
pids+=($!)

echo "==> starting: Rasa on http://localhost:$RASA_PORT (REST: /webhooks/rest/webhook), actions on :$ACTIONS_PORT, delivery worker"
echo "    try: curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
echo "    or open the Help widget: http://localhost:$WIDGET_PORT/ (it answers once Rasa has loaded its model, about 30 s)"
# Whichever server exits first takes the other down with it.
wait -n "${pids[@]}"
