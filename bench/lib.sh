# Shared by the benchmarks that start `xinyong serve` (source it).

# serve_url LOG PID: waits until the server whose stderr goes to LOG prints the address it listens
# on, and prints it; fails (with the log) when the server exits first or after 20 minutes.
serve_url() {
  local log=$1 pid=$2 url=""
  for _ in $(seq 1 2400); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return 0; }
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.5
  done
  return 1
}

# wait_retention LOG PID: waits until the server has finished the day's work it runs at start
# (and then after each midnight): retention, a scan of every person's records, and grading every
# organization when no full grading ran that day — work that would otherwise share the CPU with
# what a benchmark measures: the server in service, not its first minute.
wait_retention() {
  local log=$1 pid=$2
  for _ in $(seq 1 2400); do
    grep -qF "day's work done" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.5
  done
  echo "the server's start-up retention pass did not finish (see $log)" >&2
  return 1
}
