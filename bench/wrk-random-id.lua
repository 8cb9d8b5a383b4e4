-- wrk script of the agent benchmark (bench/agent.bench.ts): each request is `GET <prefix><id>` with an id
-- picked at random from a comma-separated list, and at the end one JSON line with the totals and the latency
-- percentiles (µs), which the benchmark reads instead of parsing wrk's text report.
--   wrk -t1 -c16 -d8s --latency -s bench/wrk-random-id.lua http://127.0.0.1:3000 -- /api/artists/ 1,2,3
local prefix = "/"
local ids = {}

function init(args)
  prefix = args[1] or "/"
  for id in string.gmatch(args[2] or "", "[^,]+") do
    ids[#ids + 1] = id
  end
  if #ids == 0 then
    error("wrk-random-id.lua: no ids after `--`")
  end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationMicros":%d,"bytes":%d,"non2xx":%d,"connectErrors":%d,' ..
      '"readErrors":%d,"writeErrors":%d,"timeouts":%d,"p50Micros":%d,"p99Micros":%d,"maxMicros":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
