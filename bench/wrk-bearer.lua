-- wrk script of the profile-cache benchmark (bench/cache.bench.ts): each request is `GET <path>` with
-- `Authorization: Bearer <token>`, the token picked at random from a comma-separated list (one per signed-in
-- user), and at the end the same WRK_JSON line as bench/wrk-random-id.lua.
--   wrk -t1 -c16 -d8s --latency -s bench/wrk-bearer.lua http://127.0.0.1:3000 -- /api/me tokenA,tokenB
local path = "/"
local tokens = {}

function init(args)
  path = args[1] or "/"
  for token in string.gmatch(args[2] or "", "[^,]+") do
    tokens[#tokens + 1] = token
  end
  if #tokens == 0 then
    error("wrk-bearer.lua: no tokens after `--`")
  end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationMicros":%d,"bytes":%d,"non2xx":%d,"connectErrors":%d,' ..
      '"readErrors":%d,"writeErrors":%d,"timeouts":%d,"p50Micros":%d,"p99Micros":%d,"maxMicros":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
