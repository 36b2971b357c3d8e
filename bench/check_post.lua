-- wrk script for bench/checks.sh: every request is one credit check, POST /api/v1/checks, of a
-- subject code drawn at random from the file named by $CODES (one code per line) in the
-- scenario $SCENARIO. Paced: each connection waits $DELAY_MS milliseconds before each request,
-- so the offered rate is about connections × 1000 / (DELAY_MS + latency) — plain wrk has no
-- fixed-rate mode (wrk2 is not packaged), and the script reports the rate actually reached.
-- At the end it prints one line of figures for bench/checks.sh to pick up.
local codes = {}

local path = os.getenv("CODES") or "codes.txt"
for line in io.lines(path) do
  if #line > 0 then codes[#codes + 1] = line end
end
if #codes == 0 then error("no codes in " .. path) end

local scenario = os.getenv("SCENARIO") or "government_procurement"
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local headers = { ["Content-Type"] = "application/json" }
-- A using department's token ($TOKEN, made by bench/checks.sh): checks need one.
if os.getenv("TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("TOKEN") end

init = function(args)
  -- A fixed seed per thread: the same sequence of codes in every run.
  math.randomseed(11 + (tonumber(wrk.thread and wrk.thread.id) or 0))
end

request = function()
  local body = string.format(
    '{"subject":"%s","scenario":"%s","purpose":"基准测试","department":"bench"}',
    codes[math.random(#codes)], scenario)
  return wrk.format("POST", "/api/v1/checks", headers, body)
end

if delay_ms > 0 then
  delay = function()
    return delay_ms
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "http_check requests=%d seconds=%.1f req_per_s=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "p999_ms=%.3f max_ms=%.3f socket_errors=%d non_2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, errors, e.status))
end
