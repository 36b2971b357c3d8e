#!/usr/bin/env bash
# The command line's contract (CONTRACT.md): exit codes — 0 ok, 1 failure or invalid input,
# 2 usage error — one clear sentence on stderr, no resident ID in plaintext, and no day to come
# where a command would act on it for good. Usage: commands.sh XINYONG_BINARY SHARE_DIR
set -u
unset XINYONG_TODAY  # the real today, whatever the environment says
bin=$1
share=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect CODE DESCRIPTION -- ARGS...: runs the binary and checks its exit code.
expect() {
  local want=$1 what=$2
  shift 3
  "$bin" --data "${DATA:-$work/data}" --share "$share" --key-file "${KEY:-$work/keys/k.key}" "$@" \
    >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, want $want ($*)"; sed 's/^/  stderr: /' "$work/err"
    failures=$((failures + 1))
  fi
}

# Usage errors: 2.
expect 2 "report without a code" -- report
expect 2 "grade with neither CODE nor --all" -- grade
expect 2 "check with neither code nor --file" -- check --scenario bidding
expect 2 "push with no destination" -- push --source county --region 410102
grep -q "needs --to" "$work/err" || { echo "FAIL: push: not the destination's message"; failures=$((failures + 1)); }
expect 2 "ingest --format of no known kind" -- ingest x.csv --format JSONL

# Days to come where acting on them is for good: refused (1), nothing done.
expect 0 "grade --all on a new store (creates it)" -- grade --all
# A day certainly after today (Beijing time).
tomorrow=2999-01-01
printf 'CF_XDR_MC\n' >"$work/admin_penalty.csv"
expect 1 "ingest --received tomorrow" -- ingest "$work/admin_penalty.csv" --received "$tomorrow"
grep -q "is after today" "$work/err" || { echo "FAIL: ingest --received: no reason given"; failures=$((failures + 1)); }
expect 1 "retention --date tomorrow" -- retention --date "$tomorrow"
expect 0 "retention --dry-run --date tomorrow (only looks)" -- retention --dry-run --date "$tomorrow"
expect 1 "grade --all --date tomorrow" -- grade --all --date "$tomorrow"

# A resident ID a check cannot use is named masked.
printf '110105194912310021\n' >"$work/codes.txt"
expect 1 "check --file with a resident ID" -- check --file "$work/codes.txt" --scenario bidding
if grep -q 110105194912310021 "$work/err" "$work/out"; then
  echo "FAIL: check --file printed a resident ID in plaintext"; failures=$((failures + 1))
fi

# The store keeps its personal-data key's fingerprint: another key file, or a missing one, is
# refused and nothing is created; a read-only command never creates a key.
KEY=$work/keys/mistyped.key expect 1 "a store opened with a key file that does not exist" -- stats
grep -q "does not exist, but this store's personal data are sealed" "$work/err" ||
  { echo "FAIL: missing key file: not the fingerprint's message"; failures=$((failures + 1)); }
[[ ! -e $work/keys/mistyped.key ]] || { echo "FAIL: a mistyped --key-file was created"; failures=$((failures + 1)); }
DATA=$work/other KEY=$work/keys/other.key expect 0 "a second store with its own key" -- grade --all
KEY=$work/keys/other.key expect 1 "a store opened with another store's key" -- grade --all
grep -q "holds the key of fingerprint" "$work/err" ||
  { echo "FAIL: another key: not the fingerprint's message"; failures=$((failures + 1)); }
expect 0 "the store with its own key" -- stats
DATA=$work/other KEY=$work/keys/none.key expect 1 "read-only stats with no key file" -- stats
[[ ! -e $work/keys/none.key ]] || { echo "FAIL: a read-only command created a key"; failures=$((failures + 1)); }

# A port with junk after it is no port.
expect 1 "serve --listen with junk after the port" -- serve --listen 127.0.0.1:80x
grep -q "has no valid port" "$work/err" || { echo "FAIL: serve --listen: not refused for its port"; failures=$((failures + 1)); }

if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all command-line checks passed"
