#!/usr/bin/env bash
# nodrop demo --quick, end to end: the table has failures in scenario 1 (kubernetes profile, naive
# manifests) and none in 2 (the usual fixes) and 3 (nodrop profile, naive manifests); the report
# is written with its timelines; Ctrl-C in the middle of a run stops it with status 130 and leaves
# no process of its session behind. Addresses: 127.0.200.0-127.0.202.255, 127.0.132.1-8.
#   demo_verb_test.sh NODROP EXAMPLES_DIR
set -uo pipefail
nodrop=$1
examples=$2
work=$(mktemp -d)
sid=""
cleanup() {
  # Only what this test started: the session its demo runs in.
  if [[ -n "$sid" ]]; then pkill -KILL -s "$sid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$work/out" "$work/err" >&2 2>/dev/null; exit 1; }

timeout 90 "$nodrop" demo --quick --examples "$examples" --out "$work/report" >"$work/out" 2>"$work/err"
status=$?
cat "$work/out"
((status == 0)) || fail "nodrop demo --quick exited $status"
failed() { awk -v n="$1" '$1 == n { print $5 }' "$work/out"; }
[[ $(failed 1) =~ ^[0-9]+$ ]] || fail "no row for scenario 1"
(($(failed 1) > 0)) || fail "scenario 1 lost nothing"
[[ $(failed 2) == 0 ]] || fail "scenario 2 lost $(failed 2)"
[[ $(failed 3) == 0 ]] || fail "scenario 3 lost $(failed 3)"
grep -q "<svg" "$work/report/index.html" || fail "the report has no timeline"
grep -q "RemovedFromRotation" "$work/report/index.html" || fail "the report has no drain-gate event"
grep -q "examples/losses/naive.yaml" "$work/report/index.html" || fail "the report has no manifest"

# Ctrl-C while a scenario runs: a clean stop.
setsid "$nodrop" demo --quick --examples "$examples" --out "$work/report2" >"$work/out" 2>"$work/err" &
pid=$!
sid=$pid
sleep 4
kill -INT "$pid"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "nodrop demo still runs 30 s after SIGINT"
wait "$pid"
status=$?
((status == 130)) || fail "nodrop demo exited $status after SIGINT, not 130"
left=$(ps -o pid=,args= -s "$sid" 2>/dev/null)
[[ -z "$left" ]] || fail "processes left behind: $left"
sid=""
echo "PASS"
