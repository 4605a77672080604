#!/bin/sh
# Makes the agent's class data sharing archive, lib/cds/agent.jsa, for the distribution in $1: one
# training start of bin/agent (a throw-away data folder, no instance to reach) with
# -XX:ArchiveClassesAtExit, stopped once its console is up. bin/agent maps the archive at every
# start: the classes of the framework, its bundles and the JDK it loads come parsed and verified,
# which takes about a quarter off the agent's start-up CPU (BENCHMARKS.md). The archive is only valid
# for the JDK that made it and for these very jars; any other JVM ignores it silently. Best effort:
# when training fails the distribution simply has no archive.
dist=$1
archive="$dist/lib/cds/agent.jsa"
rm -f "$archive"
mkdir -p "$dist/lib/cds"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# a random port for the agent's console, in 20000-59999, and another (a few tries) while the one
# drawn is in use on this machine (Linux: /proc/net/tcp*; elsewhere the first is taken as before)
in_use() {
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q "^ *[0-9]*: [0-9A-F]*:$hex "
}
tries=0
while :; do
  port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
  tries=$((tries + 1))
  if ! in_use $port || [ $tries -ge 5 ]; then
    break
  fi
  echo "cds-train: port $port is in use, drawing another"
done
MIDWAY_INSTANCE_URL=http://127.0.0.1:9 MIDWAY_AGENT_NAME=cds-training MIDWAY_AGENT_PASSWORD=cds-training-only \
  MIDWAY_ADMIN_PASSWORD=cds-training-only MIDWAY_HTTP_PORT=$port MIDWAY_DATA="$work/data" MIDWAY_CDS=off \
  MIDWAY_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$dist/bin/agent" > "$work/out" 2>&1 < /dev/null &
pid=$!
i=0
while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null && ! grep -q "agent started" "$work/out"; do
  sleep 0.1; i=$((i + 1))
done
if grep -q "agent started" "$work/out"; then
  sleep 3 # its first attempts to reach the instance, the deploy folder's first scan
fi
kill $pid 2>/dev/null
i=0
while [ $i -lt 300 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -9 $pid 2>/dev/null
if [ -s "$archive" ]; then
  chmod 644 "$archive"
  echo "cds-train: $(du -k "$archive" | cut -f1) KB class data sharing archive in $archive"
else
  rm -f "$archive"
  echo "cds-train: no class data sharing archive made (the agent starts without one):"
  tail -5 "$work/out"
fi
exit 0
