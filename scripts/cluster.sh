#!/usr/bin/env bash
# `make cluster`: the Help assistant as a cluster on one machine, from Debian packages.
#
#   PostgreSQL    tickets (database "tickets") and conversations ("conversations")
#   Redis         Rasa's lock store, and a copy of each conversation's latest session
#   HAProxy       round robin, no sticky sessions: :RASA_PORT -> Rasa replicas,
#                 :ACTIONS_PORT -> action servers
#   Rasa          rasa_replicas replicas (helpdesk.yml / HELPDESK_RASA_REPLICAS)
#   actions       action_servers action servers (HELPDESK_ACTION_SERVERS)
#   workers       delivery_workers `helpdesk deliver --forever` (HELPDESK_DELIVERY_WORKERS)
#   widget        the Help widget page on :WIDGET_PORT
#
# Installs postgresql, redis-server and haproxy with apt-get when missing. Data, logs,
# pid files and this run's secrets live under CLUSTER_DIR (var/cluster). Everything
# listens on 127.0.0.1 and every door needs its secret, as with `make run` (README
# "Security", "Running at scale"). A process that dies is started again after
# CLUSTER_RESTART_SECONDS, unless CLUSTER_DIR/hold/<name> exists (an operator holding it
# down). Ctrl-C (or SIGTERM) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
CLUSTER_DIR=$(mkdir -p "${CLUSTER_DIR:-var/cluster}" && cd "${CLUSTER_DIR:-var/cluster}" && pwd)
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WIDGET_PORT=${WIDGET_PORT:-8080}
POSTGRES_PORT=${POSTGRES_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
# Replica i listens on the i-th of RASA_REPLICA_PORTS, else on RASA_REPLICA_PORT + i - 1.
RASA_REPLICA_PORT=${RASA_REPLICA_PORT:-5010}
ACTIONS_REPLICA_PORT=${ACTIONS_REPLICA_PORT:-5060}
RASA_REPLICA_PORTS=${RASA_REPLICA_PORTS:-}
ACTIONS_REPLICA_PORTS=${ACTIONS_REPLICA_PORTS:-}
CLUSTER_RESTART_SECONDS=${CLUSTER_RESTART_SECONDS:-5}
CREDENTIALS=${CREDENTIALS:-credentials.yml}
# A session longer than this many events starts anew after a quiet turn (0: never; README
# "Running at scale", long conversations).
export HELPDESK_MAX_SESSION_EVENTS=${HELPDESK_MAX_SESSION_EVENTS:-200}
# A lock a crashed replica held lapses after this; it must outlast the slowest turn.
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-30}
LOOPBACK=127.0.0.1

say() { echo "==> $*"; }
secret() { "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))'; }
port_of() {  # port_of LIST BASE I: the I-th port of LIST, else BASE + I - 1
  local listed
  listed=$(echo "$1" | awk -v i="$3" '{print $i}')
  echo "${listed:-$(($2 + $3 - 1))}"
}
setting() { "$BIN/python" -c "from helpdesk.config import load_settings; print(load_settings().$1)"; }

# --- packages ------------------------------------------------------------------------------
scripts/cluster-packages.sh
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PG_BIN=$(pg_bin)

RASA_REPLICAS=$(setting rasa_replicas)
ACTION_SERVERS=$(setting action_servers)
DELIVERY_WORKERS=$(setting delivery_workers)

mkdir -p "$CLUSTER_DIR"/{logs,pids,hold,secrets}
chmod 700 "$CLUSTER_DIR/secrets"
keep() { (umask 077 && printf '%s\n' "$2" > "$CLUSTER_DIR/secrets/$1"); }

# --- this run's secrets (new each run, as `make run` makes them) ----------------------------
export HELPDESK_IDENTITY_SECRET=${HELPDESK_IDENTITY_SECRET:-$(secret)}
export HELPDESK_ACTION_SERVER_SECRET=${HELPDESK_ACTION_SERVER_SECRET:-$(secret)}
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then RASA_AUTH_TOKEN=$(secret); fi
export RASA_AUTH_TOKEN
keep rasa-auth-token "$RASA_AUTH_TOKEN"
REDIS_PASSWORD=$(secret)
keep redis-password "$REDIS_PASSWORD"

# --- PostgreSQL: runs as the postgres user when we are root (it refuses to run as root) ----
PG_DATA=$CLUSTER_DIR/postgres
PG_USER=helpdesk
as_postgres() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi
}
if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  say "creating the PostgreSQL cluster in $PG_DATA"
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
  if ! as_postgres test -w "$PG_DATA"; then
    echo "cluster: the postgres user cannot reach $PG_DATA; give every folder above it o+x" >&2
    exit 1
  fi
  pwfile=$(as_postgres mktemp)
  secret | as_postgres tee "$pwfile" > /dev/null
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 > "$CLUSTER_DIR/logs/initdb.log"
  as_postgres cat "$pwfile" | { umask 077; cat > "$CLUSTER_DIR/secrets/postgres-password"; }
  as_postgres rm -f "$pwfile"
fi
# Loopback only, no Unix socket: every client logs in over TCP with the password.
as_postgres tee "$PG_DATA/postgresql.auto.conf" > /dev/null <<EOF
listen_addresses = '$LOOPBACK'
port = $POSTGRES_PORT
unix_socket_directories = ''
max_connections = 200
EOF
PG_PASSWORD=$(cat "$CLUSTER_DIR/secrets/postgres-password")

# --- processes ------------------------------------------------------------------------------
declare -A PID STARTER DIED
start() {  # start NAME: runs start_NAME in the background, logs to logs/NAME.log
  local name=$1
  "start_${name%%-*}" "$name" >> "$CLUSTER_DIR/logs/$name.log" 2>&1 &
  PID[$name]=$!
  echo "${PID[$name]}" > "$CLUSTER_DIR/pids/$name.pid"
  unset "DIED[$name]"
}
start_postgres() {
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$PG_BIN/postgres" -D "$PG_DATA"
  else exec "$PG_BIN/postgres" -D "$PG_DATA"; fi
}
start_redis() {
  # The configuration (with the password) goes in on stdin, never on the command line.
  exec redis-server - <<EOF
bind $LOOPBACK
port $REDIS_PORT
requirepass $REDIS_PASSWORD
protected-mode yes
save ""
appendonly no
dir $CLUSTER_DIR
EOF
}
start_haproxy() { exec haproxy -db -f "$CLUSTER_DIR/haproxy.cfg"; }
start_rasa() {
  exec "$BIN/python" -m servers.rasa_server run --port "$(port_of "$RASA_REPLICA_PORTS" "$RASA_REPLICA_PORT" "${1#rasa-}")" --model models/current.tar.gz \
    --endpoints endpoints-cluster.yml --credentials "$CREDENTIALS"
}
start_actions() {
  exec "$BIN/python" -m servers.action_server --port "$(port_of "$ACTIONS_REPLICA_PORTS" "$ACTIONS_REPLICA_PORT" "${1#actions-}")"
}
start_worker() { exec "$BIN/helpdesk" deliver --forever; }
start_widget() { RASA_URL=http://localhost:$RASA_PORT exec "$BIN/python" -m widget.server --port "$WIDGET_PORT"; }

stopping=0
stop_all() {
  stopping=1
  trap - INT TERM EXIT
  say "stopping the cluster"
  local name
  for name in "${!PID[@]}"; do
    # PostgreSQL's fast shutdown is SIGINT (SIGTERM waits for every client to leave).
    if [ "$name" = postgres ]; then kill -INT "${PID[$name]}" 2>/dev/null || true
    else kill -TERM "${PID[$name]}" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  rm -f "$CLUSTER_DIR"/pids/*.pid
}
trap stop_all INT TERM EXIT

wait_for() {  # wait_for WHAT COMMAND...: until COMMAND succeeds (up to 4 minutes)
  local what=$1; shift
  for _ in $(seq 1 480); do "$@" > /dev/null 2>&1 && return 0; sleep 0.5; done
  echo "cluster: $what did not come up; see $CLUSTER_DIR/logs/" >&2
  exit 1
}

# --- start ---------------------------------------------------------------------------------
say "starting PostgreSQL on $LOOPBACK:$POSTGRES_PORT and Redis on $LOOPBACK:$REDIS_PORT"
start postgres
start redis
wait_for PostgreSQL "$PG_BIN/pg_isready" -h $LOOPBACK -p "$POSTGRES_PORT"
export PGPASSWORD=$PG_PASSWORD
for database in tickets conversations; do
  exists=$("$PG_BIN/psql" -h $LOOPBACK -p "$POSTGRES_PORT" -U $PG_USER -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$database'")
  [ "$exists" = 1 ] || "$PG_BIN/psql" -h $LOOPBACK -p "$POSTGRES_PORT" -U $PG_USER -d postgres -qc "CREATE DATABASE $database"
done
unset PGPASSWORD
wait_for Redis env REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h $LOOPBACK -p "$REDIS_PORT" ping

# What every Rasa replica, action server and worker is told (endpoints-cluster.yml,
# helpdesk.yml's database_url and journal).
export HELPDESK_DATABASE_URL="postgresql://$PG_USER:$PG_PASSWORD@$LOOPBACK:$POSTGRES_PORT/tickets"
export HELPDESK_TRACKER_DB_HOST=$LOOPBACK HELPDESK_TRACKER_DB_PORT=$POSTGRES_PORT
export HELPDESK_TRACKER_DB_NAME=conversations HELPDESK_TRACKER_DB_USER=$PG_USER
export HELPDESK_TRACKER_DB_PASSWORD=$PG_PASSWORD
export HELPDESK_REDIS_HOST=$LOOPBACK HELPDESK_REDIS_PORT=$REDIS_PORT HELPDESK_REDIS_PASSWORD=$REDIS_PASSWORD
export HELPDESK_REDIS_URL="redis://:$REDIS_PASSWORD@$LOOPBACK:$REDIS_PORT/1"
export HELPDESK_ACTIONS_URL="http://$LOOPBACK:$ACTIONS_PORT/webhook"
export HELPDESK_JOURNAL_FILE=${HELPDESK_JOURNAL_FILE:-$CLUSTER_DIR/journal.jsonl}
export HELPDESK_RESERVED_REFERENCES_FILE=${HELPDESK_RESERVED_REFERENCES_FILE:-$CLUSTER_DIR/reserved-references.json}
# The ticket tables, once, before the processes that would all race to create them.
"$BIN/python" -c 'from helpdesk.config import load_settings; from helpdesk.store import open_store; open_store(load_settings())'

# The load balancer: round robin over the replicas, no stickiness; a replica that stops
# answering its health check gets no traffic until it answers again. Each answer names
# its replica in X-Helpdesk-Replica (what the tests check; harmless to publish).
{
  cat <<EOF
global
  maxconn 4096
defaults
  mode http
  option httplog
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  retries 2
  option redispatch
frontend rasa
  bind $LOOPBACK:$RASA_PORT
  default_backend rasa
backend rasa
  balance roundrobin
  option httpchk GET /
  http-response set-header X-Helpdesk-Replica %s
EOF
  for i in $(seq 1 "$RASA_REPLICAS"); do
    echo "  server rasa-$i $LOOPBACK:$(port_of "$RASA_REPLICA_PORTS" "$RASA_REPLICA_PORT" "$i") check inter 1s fall 2 rise 1"
  done
  cat <<EOF
frontend actions
  bind $LOOPBACK:$ACTIONS_PORT
  default_backend actions
backend actions
  balance roundrobin
  option httpchk GET /health
EOF
  for i in $(seq 1 "$ACTION_SERVERS"); do
    echo "  server actions-$i $LOOPBACK:$(port_of "$ACTIONS_REPLICA_PORTS" "$ACTIONS_REPLICA_PORT" "$i") check inter 1s fall 2 rise 1"
  done
} > "$CLUSTER_DIR/haproxy.cfg"

names=(haproxy)
for i in $(seq 1 "$ACTION_SERVERS"); do names+=("actions-$i"); done
for i in $(seq 1 "$RASA_REPLICAS"); do names+=("rasa-$i"); done
for i in $(seq 1 "$DELIVERY_WORKERS"); do names+=("worker-$i"); done
names+=(widget)
say "starting ${names[*]}"
for name in "${names[@]}"; do start "$name"; done
for i in $(seq 1 "$RASA_REPLICAS"); do
  wait_for "rasa-$i" curl -sf "http://$LOOPBACK:$(port_of "$RASA_REPLICA_PORTS" "$RASA_REPLICA_PORT" "$i")/"
done
# Ready once the load balancer has seen every replica answer its health check.
every_replica_behind_the_balancer() {
  local seen
  seen=$(for _ in $(seq 1 "$RASA_REPLICAS"); do
    curl -sf -o /dev/null -D - "http://$LOOPBACK:$RASA_PORT/" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-helpdesk-replica" {print $2}'
  done | sort -u | wc -l)
  [ "$seen" -eq "$RASA_REPLICAS" ]
}
wait_for "the load balancer" every_replica_behind_the_balancer
echo "ready" > "$CLUSTER_DIR/ready"
say "ready: Rasa on http://localhost:$RASA_PORT ($RASA_REPLICAS replicas), actions on :$ACTIONS_PORT ($ACTION_SERVERS), $DELIVERY_WORKERS delivery workers, widget on http://localhost:$WIDGET_PORT/"
echo "    Rasa's HTTP API needs ?token=\$(cat $CLUSTER_DIR/secrets/rasa-auth-token); logs in $CLUSTER_DIR/logs/"

# --- supervise: start again whatever died, unless an operator holds it down ------------------
while [ $stopping = 0 ]; do
  for name in "${!PID[@]}"; do
    kill -0 "${PID[$name]}" 2>/dev/null && continue
    now=$(date +%s)
    if [ -z "${DIED[$name]:-}" ]; then
      wait "${PID[$name]}" 2>/dev/null && code=0 || code=$?
      DIED[$name]=$now
      say "$name exited ($code); starting it again in $CLUSTER_RESTART_SECONDS s unless $CLUSTER_DIR/hold/$name exists"
    elif [ ! -e "$CLUSTER_DIR/hold/$name" ] && [ $((now - DIED[$name])) -ge "$CLUSTER_RESTART_SECONDS" ]; then
      say "starting $name again"
      start "$name"
    fi
  done
  sleep 0.5
done
