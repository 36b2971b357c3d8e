-- wrk script for bench/http.sh: every request asks for the profile of a subject code drawn at
-- random from the file named by $CODES (one code per line), so the server cannot answer from
-- one hot key. At the end it prints one line of figures for bench/http.sh to pick up.
local codes = {}

local path = os.getenv("CODES") or "codes.txt"
for line in io.lines(path) do
  if #line > 0 then codes[#codes + 1] = line end
end
if #codes == 0 then error("no codes in " .. path) end

local prefix = os.getenv("API_PATH") or "/api/v1/subjects/"
local suffix = os.getenv("API_SUFFIX") or ""

init = function(args)
  -- A fixed seed per thread: the same sequence of codes in every run.
  math.randomseed(7 + (tonumber(wrk.thread and wrk.thread.id) or 0))
end

request = function()
  return wrk.format("GET", prefix .. codes[math.random(#codes)] .. suffix)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "http_subject_profile requests=%d seconds=%.1f req_per_s=%.0f p50_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f socket_errors=%d non_2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, e.status))
end
