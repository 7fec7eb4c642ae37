#!/usr/bin/env bash
# The manifest verbs on inputs that cost too much, met by the binary as a user meets them: each ends
# with a message naming the file and the verb's exit status, never an abort (std::bad_alloc was
# exit 134) or a crash. The address-space caps (ulimit -v) make "before the cost is paid"
# observable without timing anything: a verb that read first and checked after would fail
# differently under them.
set -euo pipefail
nodrop=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect STATUS TEXT COMMAND...: the command exits with STATUS and its standard error holds TEXT.
expect() {
  local status=$1 text=$2
  shift 2
  local got=0
  "$@" > "$work/out" 2> "$work/err" || got=$?
  [[ "$got" == "$status" ]] || fail "$*: exit status $got, not $status: $(head -c 300 "$work/err")"
  grep -qF -- "$text" "$work/err" || fail "$*: no \"$text\" in: $(head -c 300 "$work/err")"
}

# Endless input: refused at the first byte past 64 MiB.
expect 1 "/dev/zero: file is larger than 64 MiB" "$nodrop" validate /dev/zero
expect 2 "nodrop check: /dev/zero: file is larger than 64 MiB" "$nodrop" check /dev/zero

# A 100 MB file (sparse: no disk) is refused by its size, before a byte is read: under a 60 MB
# address-space cap, reading it would fail for want of memory instead.
truncate -s 100M "$work/large.yaml"
expect 1 "$work/large.yaml: file is larger than 64 MiB" \
  bash -c 'ulimit -v 60000; exec "$0" validate "$1"' "$nodrop" "$work/large.yaml"

# Memory runs out below the reader's bounds (5 million nodes, 320 MB, under a 200 MB cap): an
# error naming the file and the place, not an abort.
awk 'BEGIN { for (i = 0; i < 5000000; i++) print "- x" }' > "$work/items.yaml"
expect 1 "$work/items.yaml:1: YAML refused at column 1: out of memory" \
  bash -c 'ulimit -v 200000; exec "$0" validate "$1"' "$nodrop" "$work/items.yaml"
expect 2 "nodrop check: $work/items.yaml:1: YAML refused at column 1: out of memory" \
  bash -c 'ulimit -v 200000; exec "$0" check "$1"' "$nodrop" "$work/items.yaml"

# A directory: the manifests below it.
mkdir -p "$work/manifests/nested"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n' \
  > "$work/manifests/nested/service.yaml"
expect 0 "1 file, 1 valid object, 0 errors, 0 warnings" "$nodrop" validate "$work/manifests"
echo "manifest bounds: ok"
