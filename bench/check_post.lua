-- wrk script for bench/checks.sh: every request is one credit check, POST /api/v1/checks, of a
-- subject code drawn at random from the file named by $CODES (one code per line) in the
-- scenario $SCENARIO. Paced: each connection waits before each request (a think time), so the
-- offered rate is about connections × 1000 / (mean think time + latency) — plain wrk has no
-- fixed-rate mode (wrk2 is not packaged), and the script reports the rate actually reached.
--
-- $PACING chooses the think times:
--   exponential (default): drawn from a negative exponential distribution with mean $DELAY_MS,
--     cut at ten times the mean, as TPC-C prescribes for its terminals' think times. Many
--     independent callers (officials checking subjects) then add up to arrivals close to a
--     Poisson process: the meaning of "N checks per second".
--   fixed: exactly $DELAY_MS every time. The connections then synchronize: a server that
--     answers the checks of one disk flush together (group commit) sends up to every
--     connection its answer in the same instant, and they all come back $DELAY_MS later in the
--     same instant — bursts of up to one request per connection at once, whatever the average
--     rate. Kept to compare with the figures measured that way before.
-- wrk takes a delay in whole milliseconds (it truncates), so a drawn time is rounded.
-- At the end it prints one line of figures for bench/checks.sh to pick up.
local codes = {}

local path = os.getenv("CODES") or "codes.txt"
for line in io.lines(path) do
  if #line > 0 then codes[#codes + 1] = line end
end
if #codes == 0 then error("no codes in " .. path) end

local scenario = os.getenv("SCENARIO") or "government_procurement"
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local pacing = os.getenv("PACING") or "exponential"
if pacing ~= "exponential" and pacing ~= "fixed" then
  error("PACING must be exponential or fixed, not " .. pacing)
end
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
    if pacing == "fixed" then return delay_ms end
    local d = -delay_ms * math.log(1 - math.random())  -- math.random() is in [0, 1)
    return math.floor(math.min(d, 10 * delay_ms) + 0.5)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "http_check pacing=%s delay_ms=%s requests=%d seconds=%.1f req_per_s=%.0f p50_ms=%.3f " ..
    "p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f socket_errors=%d non_2xx=%d\n",
    pacing, delay_ms, summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, errors, e.status))
end
