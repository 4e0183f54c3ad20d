-- Posts the bodies of a mix file in turn, each request with a session id of its own, so that
-- the stores do real inserts and the aggregator counts real distinct sessions.
--
-- WRK_PAUSE_MS=<ms> wrk -s mix.lua <url> -- <mix file> <run id>
-- A mix file line is "<content type>\t<body>", the body's session ids written as __UUID__.
-- With WRK_PAUSE_MS, each connection waits that long after each answer: a paced load, whose
-- rate wrk reports (the benchmark chooses the pause for the rate it wants and reports what it
-- got). It is read when the script loads, since wrk decides then whether requests are delayed.

local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

local types, bodies = {}, {}
local run = 0
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "0")
local sent = 0

function init(args)
  for line in io.lines(args[1]) do
    local contentType, body = line:match("^([^\t]*)\t(.*)$")
    if body then
      types[#types + 1] = contentType
      bodies[#bodies + 1] = body
    end
  end
  run = tonumber(args[2]) or 0
  if #bodies == 0 then
    error("no bodies in " .. args[1])
  end
end

function request()
  sent = sent + 1
  local index = sent % #bodies + 1
  local session = string.format("%08x-%04x-4000-8000-%012x", run % 0x100000000, thread_number, sent)
  local body = bodies[index]:gsub("__UUID__", session)
  return wrk.format("POST", nil, { ["Content-Type"] = types[index] }, body)
end

if pause > 0 then
  function delay()
    return pause
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("wrk-result requests=%d micros=%d bytes=%d status_errors=%d socket_errors=%d p50=%d p99=%d max=%d\n",
    summary.requests, summary.duration, summary.bytes, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
