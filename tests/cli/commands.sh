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

# Bad global options and contradicting ones: an error, never a crash.
"$bin" --data "" --share "$share" --key-file "$work/keys/k.key" stats >"$work/out" 2>"$work/err"
got=$?
[[ $got -eq 1 ]] && grep -q "must not be empty" "$work/err" ||
  { echo "FAIL: --data empty: exit $got"; cat "$work/err"; failures=$((failures + 1)); }
expect 2 "grade --all --history" -- grade --all --history
expect 2 "grade --all --threads out of range" -- grade --all --threads 4294967295
expect 2 "report --domains without --special" -- report 91110000600037341L --out "$work/r.pdf" --domains market
expect 2 "push --to with --format" -- push --to http://127.0.0.1:9 --source county --region 410102 --format feed

# A resident ID inside longer input is masked in every message.
expect 1 "subject with an ID number inside a longer code" -- subject 410105196211214035AAAAAAAAAAAA
if grep -q 410105196211214035 "$work/err" "$work/out"; then
  echo "FAIL: subject printed a resident ID in plaintext"; failures=$((failures + 1))
fi

# --json is JSON, and UTF-8 whatever came in.
expect 0 "retention --dry-run --json" -- retention --dry-run --json
grep -q '^{"as_of":' "$work/out" || { echo "FAIL: retention --json is not JSON"; cat "$work/out"; failures=$((failures + 1)); }
printf '\x80abc\n' | "$bin" --data "$work/data" --share "$share" --key-file "$work/keys/k.key" \
  validate uscc --json >"$work/out" 2>/dev/null
iconv -f UTF-8 -t UTF-8 "$work/out" >/dev/null 2>&1 ||
  { echo "FAIL: validate --json printed bytes that are not UTF-8"; failures=$((failures + 1)); }

# An objection's id is no repair application's: `repair show`/`withdraw` refuse it.
printf '%s\n%s\n' \
  'CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX' \
  '甲公司,法人及非法人组织,91110000600037341L,郑市监罚〔2025〕1号,虚假宣传,发布虚假广告,《广告法》第五十五条,罚款,罚款1万元,1,2025-03-03,郑州市市场监督管理局,11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q,普通程序' \
  >"$work/admin_penalty.csv"
expect 0 "ingest a penalty" -- ingest "$work/admin_penalty.csv" --received 2025-03-05
expect 0 "the subject's records" -- subject 91110000600037341L --as operator --json
record=$(grep -o '"id":[0-9]*' "$work/out" | head -1 | cut -d: -f2)
expect 0 "objection file" -- objection file 91110000600037341L "$record" --reason "不是本公司"
expect 0 "objection show 1" -- objection show 1
expect 1 "repair show of an objection's id" -- repair show 1
grep -q "no repair has the id 1" "$work/err" || { echo "FAIL: repair show 1: not refused as an objection"; failures=$((failures + 1)); }
expect 1 "repair withdraw of an objection's id" -- repair withdraw 1
expect 0 "objection show 1: still open" -- objection show 1 --json
grep -q '"state":"submitted"' "$work/out" || { echo "FAIL: repair withdraw 1 changed objection 1"; failures=$((failures + 1)); }

# A check as of another day is not entered in the check log.
expect 0 "check --date yesterday" -- check 91110000600037341L --scenario bidding --date 2025-06-01 --json
if grep -q '"id":' "$work/out"; then echo "FAIL: a what-if check got a check-log id"; failures=$((failures + 1)); fi
grep -q "not entered in the check log" "$work/err" || { echo "FAIL: check --date: not said"; failures=$((failures + 1)); }

if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all command-line checks passed"
