#!/bin/sh
# Makes one legacy-db fixture with a real release: starts that release's bin/instance on a free
# loopback port with a fresh data folder, fills it through the HTTP API (fill.py), stops it with
# SIGTERM and copies the database and the credential master key here.
#   make-fixture.sh SCHEMA DISTRIBUTION_DIR    e.g. make-fixture.sh 9 /work/wt-schema9/distribution/target/midway
set -eu
schema=$1
dist=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out="$here/schema$schema"
data=$(mktemp -d /tmp/midway-legacy-db.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
core=$(ls "$dist"/system/agent/io.midway.agent-[0-9]*.jar)

export MIDWAY_DATA="$data" MIDWAY_HTTP_PORT="$port" \
    MIDWAY_ADMIN_PASSWORD=fixture-admin-pw MIDWAY_AGENT_PASSWORD=fixture-agent-pw \
    MIDWAY_HEARTBEAT_SECONDS=86400
# schema 10 (today's main) serves HTTPS on 8443 by default: plain HTTP only; schema 9 knows no HTTPS
[ "$schema" = 9 ] || export MIDWAY_HTTPS_PORT=off
"$dist/bin/instance" >"$data/instance.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT

mkdir -p "$out"
python3 "$here/fill.py" --schema "$schema" --url "http://127.0.0.1:$port" \
    --admin-password fixture-admin-pw --agent-password fixture-agent-pw --core "$core" \
    --out "$out/expected.json"

kill -TERM $pid
wait $pid || true
trap - EXIT
cp "$data/db/instance.mv.db" "$out/instance.mv.db"
cp "$data/credentials.key" "$out/credentials.key"
# the synced jars, which releases before migration 12 kept only in the folder (not the agent core: too big)
mkdir -p "$out/files" && cp "$data"/files/*.jar "$out/files/"
echo "schema $schema fixture written to $out (instance data left in $data)"
