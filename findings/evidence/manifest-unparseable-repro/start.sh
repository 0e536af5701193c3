#!/bin/bash
# usage: start.sh DIR PORT — starts $KALAMDB_SERVER (default .tmp/kalamdb/kalamdb-server of the repo) on DIR/data.
D=$1; P=$2; HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${KALAMDB_SERVER:-$HERE/../../../.tmp/kalamdb/kalamdb-server}
mkdir -p "$D/logs"
sed -e "s|@PORT@|$P|" -e "s|@DATA@|$D/data|" -e "s|@LOGS@|$D/logs|" "$HERE/server.toml.template" > "$D/server.toml"
KALAMDB_ROOT_PASSWORD=rootpass123 KALAMDB_JWT_SECRET=abcdefghijklmnopqrstuvwxyz0123456789abcd KALAMDB_OTLP_ENABLED=false KALAMDB_LOG_TO_CONSOLE=false \
  "$BIN" "$D/server.toml" > "$D/out.log" 2>&1 &
echo $! > "$D/pid"
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$P/health" && break; sleep 0.1; done
