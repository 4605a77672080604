#!/bin/sh
# Makes the agent's class data sharing archive, lib/cds/agent.jsa, for the distribution in $1: one
# training start of bin/agent (a throw-away data folder) with -XX:ArchiveClassesAtExit, connected to
# a throw-away bin/instance of the same distribution, stopped 6 s after its console is up. bin/agent maps the archive at every
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
# a random port in 20000-59999, another (a few tries) while the one drawn is in use on this machine
# (Linux: /proc/net/tcp*; elsewhere the first is taken)
in_use() {
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q "^ *[0-9]*: [0-9A-F]*:$hex "
}
free_port() {
  tries=0
  while :; do
    port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    tries=$((tries + 1))
    if { ! in_use $port && [ "$port" != "${1:-}" ]; } || [ $tries -ge 5 ]; then
      break
    fi
  done
  echo $port
}
# waits up to $3 tenths of a second for process $1 to print $2 in its output file $4
await_line() {
  i=0
  while [ $i -lt "$3" ] && kill -0 "$1" 2>/dev/null && ! grep -q "$2" "$4"; do
    sleep 0.1; i=$((i + 1))
  done
  grep -q "$2" "$4"
}
stop() { # pid
  kill "$1" 2>/dev/null
  i=0
  while [ $i -lt 300 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$1" 2>/dev/null
}
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# The agent trains against a throw-away instance of this distribution (plain HTTP on loopback), so
# that what it loads to enroll, register, sync, fetch its settings and credentials and make its key
# is in the archive too; without one (it did not start) it trains on its start alone.
instance_port=$(free_port)
MIDWAY_HTTP_PORT=$instance_port MIDWAY_HTTPS_PORT=off MIDWAY_DATA="$work/instance" MIDWAY_LOG_LEVEL=warn \
  MIDWAY_ADMIN_PASSWORD="$secret" MIDWAY_AGENT_PASSWORD="$secret" MIDWAY_JAVA_OPTS= \
  "$dist/bin/instance" > "$work/instance.out" 2>&1 < /dev/null &
instance=$!
if await_line $instance "instance started" 900 "$work/instance.out"; then
  url=http://127.0.0.1:$instance_port
else
  echo "cds-train: no instance to train against (the archive covers the agent's start only):"
  tail -3 "$work/instance.out"
  stop $instance
  instance=
  url=http://127.0.0.1:9
fi
MIDWAY_INSTANCE_URL=$url MIDWAY_AGENT_NAME=cds-training MIDWAY_AGENT_PASSWORD="$secret" \
  MIDWAY_ADMIN_PASSWORD="$secret" MIDWAY_HTTP_PORT=$(free_port $instance_port) MIDWAY_DATA="$work/data" MIDWAY_CDS=off \
  MIDWAY_JAVA_OPTS="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off" \
  "$dist/bin/agent" > "$work/out" 2>&1 < /dev/null &
pid=$!
if await_line $pid "agent started" 600 "$work/out"; then
  # registration, the first sync, settings and credentials, and (3 s after the start) the key
  # pair and the sealed identity; without an instance, its first attempts and the deploy folder
  sleep 6
fi
stop $pid
[ -n "$instance" ] && stop $instance
if [ -s "$archive" ]; then
  chmod 644 "$archive"
  echo "cds-train: $(du -k "$archive" | cut -f1) KB class data sharing archive in $archive"
else
  rm -f "$archive"
  echo "cds-train: no class data sharing archive made (the agent starts without one):"
  tail -5 "$work/out"
fi
exit 0
