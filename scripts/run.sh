#!/usr/bin/env bash
# Starts the action server, the delivery worker, the Rasa server and the Help widget in the
# foreground; Ctrl-C stops them all. Every server listens on bind_address (helpdesk.yml,
# loopback by default); README "Security" says what each secret is for.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false   # no telemetry or error reports sent anywhere
mkdir -p var
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WIDGET_PORT=${WIDGET_PORT:-8080}
secret() { "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))'; }
# The widget stands in for the platform and signs its demo user in with this secret, which
# the channel checks. Without one configured, a random one for this run only.
export HELPDESK_IDENTITY_SECRET=${HELPDESK_IDENTITY_SECRET:-$(secret)}
# Rasa sends this with every action call and the action server refuses calls without it.
export HELPDESK_ACTION_SERVER_SECRET=${HELPDESK_ACTION_SERVER_SECRET:-$(secret)}
# Rasa's HTTP API answers only with this token (?token=...). Without one configured, a new
# one for this run, readable by its owner only in var/rasa-auth-token; never printed.
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  RASA_AUTH_TOKEN=$(secret)
  (umask 077 && rm -f var/rasa-auth-token && printf '%s\n' "$RASA_AUTH_TOKEN" > var/rasa-auth-token)
fi
export RASA_AUTH_TOKEN

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

"$BIN/python" -m servers.action_server --port "$ACTIONS_PORT" &
pids+=($!)
# The delivery worker: sends tickets to the support team's targets (helpdesk.yml) and
# replays tickets journaled while the database was down.
"$BIN/helpdesk" deliver --forever &
pids+=($!)
# Rasa through servers/rasa_server.py: address, CORS, API and its token from the settings,
# minus work Rasa 3.6 repeats on every turn (README, "Benchmarks").
"$BIN/python" -m servers.rasa_server run --port "$RASA_PORT" \
  --model models/current.tar.gz --endpoints endpoints.yml --credentials credentials.yml &
pids+=($!)
# The widget page (widget/server.py): a browser on :$WIDGET_PORT talks to Rasa, so its
# origin must be among cors_origins in helpdesk.yml.
RASA_URL=${RASA_URL:-http://localhost:$RASA_PORT} "$BIN/python" -m widget.server --port "$WIDGET_PORT" &
pids+=($!)

echo "==> starting: Rasa on http://localhost:$RASA_PORT (REST: /webhooks/rest/webhook), actions on :$ACTIONS_PORT, delivery worker"
echo "    try: curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
echo "    or open the Help widget: http://localhost:$WIDGET_PORT/ (it answers once Rasa has loaded its model, about 30 s)"
echo "    Rasa's HTTP API needs ?token=\$(cat var/rasa-auth-token) unless RASA_AUTH_TOKEN was set"
# Whichever server exits first takes the other down with it.
wait -n "${pids[@]}"
