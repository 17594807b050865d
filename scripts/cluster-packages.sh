#!/usr/bin/env bash
# Installs what `make cluster` and its tests run on, from Debian's packages, when missing:
# postgresql, redis-server and haproxy (`apt-get update` first; sudo unless root).
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/postgres > /dev/null 2>&1 || missing+=(postgresql)
command -v redis-server > /dev/null || missing+=(redis-server)
command -v haproxy > /dev/null || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "==> installing ${missing[*]} (apt-get)"
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
