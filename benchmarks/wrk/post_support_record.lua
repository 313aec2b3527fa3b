-- wrk script: POST /v1/support-records, each request a new record (unique reference), spread
-- over the students given in GAPTRACK_STUDENTS. Used by benchmarks/wrk/run.sh:
--   GAPTRACK_TOKEN=gtk_... GAPTRACK_STUDENTS=UPN1,UPN2 wrk -t2 -c16 -d15s -s post_support_record.lua http://127.0.0.1:8080
-- Prints p50/p90/p99/max latency and counts answers that were not 201, which would make the
-- requests-per-second figure meaningless.

local token = os.getenv("GAPTRACK_TOKEN") or error("set GAPTRACK_TOKEN to a staff or data-lead token")
local students = {}
for upn in string.gmatch(os.getenv("GAPTRACK_STUDENTS") or "", "[^,]+") do students[#students + 1] = upn end
if #students == 0 then error("set GAPTRACK_STUDENTS to a comma-separated list of UPNs") end

-- Globals, not locals: wrk reads and sets them per thread with thread:get and thread:set.
threads = {}
counter = 0
thread_id = 0
not_created = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/v1/support-records"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local student = students[(counter % #students) + 1]
  local body = string.format(
    '{"reference":"wrk-%d-%d-%d","student":"%s","type":"tutoring","start_date":"2025-01-06",' ..
    '"hours":1.5,"sessions":1,"amount":"12.50","funding_source":"pupil_premium","staff":"Benchmark"}',
    os.time(), thread_id, counter, student)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    not_created = not_created + 1
    if not_created <= 3 then io.stderr:write("unexpected " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("not_created") or 0) end
  io.write(string.format("requests: %d in %.1f s = %.0f req/s\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("not 201: %d; socket errors: connect %d read %d write %d timeout %d\n", failed,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
