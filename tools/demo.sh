#!/bin/sh
# A small process life for the README: a child that catches SIGTERM, a nohup'd
# child that ignores SIGHUP, a failed exec, and a crash.
trap 'echo caught TERM' TERM
sh -c 'trap "exit 3" TERM; sleep 0.2 & wait' &
c=$!
sleep 0.05
kill -TERM "$c"
wait "$c"
nohup sh -c 'sleep 0.1' >/dev/null 2>&1 &
n=$!
sleep 0.05
kill -HUP "$n"
wait "$n"
/no/such/program 2>/dev/null
sh -c 'kill -SEGV $$'
exit 0
