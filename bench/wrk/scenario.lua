-- One wrk scenario: GETs of one address, or the requests listed in a file (one per line:
-- METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY), each thread taking its own share of the lines in turn.
-- Arguments after "--": requests-file (or "-"), threads, connections, rate; rate (requests per second for the
-- whole run, over all connections; 0 for as fast as possible) paces each connection for a fixed-rate run. The summary is printed as one JSON line.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local lines = nil
local position = 0
local pause = 0
s2, s3, s4, s5 = 0, 0, 0, 0

function init(args)
  local file = args[1]
  nthreads = tonumber(args[2] or "1")
  local connections = tonumber(args[3] or "1")
  if file and file ~= "" and file ~= "-" then
    lines = {}
    local index = 0
    for line in io.lines(file) do
      index = index + 1
      -- Thread N of T takes lines N, N+T, N+2T...: no two threads send the same request.
      if (index - id) % nthreads == 0 then
        table.insert(lines, line)
      end
    end
  end
  local rate = tonumber(args[4] or "0")
  if rate and rate > 0 then
    pause = connections * 1000 / rate
  end
end

function delay()
  return pause
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function request()
  if not lines or #lines == 0 then
    return wrk.format("GET", wrk.path)
  end
  position = position % #lines + 1
  local f = split(lines[position])
  local headers = {}
  if f[3] and f[3] ~= "" then
    headers["Cookie"] = f[3]
    local token = f[3]:match("csrftoken=([%w]+)")
    if token then headers["X-CSRFToken"] = token end
    headers["HX-Request"] = "true"
  end
  local body = nil
  if f[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = f[4] or ""
  end
  return wrk.format(f[1], f[2], headers, body)
end

function response(status, headers, body)
  if status < 300 then s2 = s2 + 1
  elseif status < 400 then s3 = s3 + 1
  elseif status < 500 then s4 = s4 + 1
  else s5 = s5 + 1 end
end

function done(summary, latency, requests)
  local c2, c3, c4, c5 = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c2 = c2 + (thread:get("s2") or 0)
    c3 = c3 + (thread:get("s3") or 0)
    c4 = c4 + (thread:get("s4") or 0)
    c5 = c5 + (thread:get("s5") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"status_2xx": %d, "status_3xx": %d, "status_4xx": %d, "status_5xx": %d, ' ..
    '"socket_errors": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, c2, c3, c4, c5,
    e.connect + e.read + e.write + e.timeout, summary.bytes))
end
