-- wrk script of bench-http (bench/http.rs): one operation per run, a distinct body per
-- POST, every answer's status counted, and one `BENCH {json}` line from done().
-- Run with one thread (-t1): the counters live in that thread's Lua state.
--
-- Arguments after `--`: MODE TOKEN ...
--   get TOKEN PATH                  the same GET every time
--   patient TOKEN FILE              GET /api/v1/patients/{id}, the ids of FILE in turn
--   create-patient TOKEN NONCE OFFSET   POST /api/v1/patients, patient OFFSET + n
--   book TOKEN PLAN OFFSET          POST /api/v1/appointments, slot OFFSET + n of PLAN
--
-- PLAN (written by bench-http) has one `key value` per line:
--   base EPOCH           Monday 00:00 UTC of the first week that may be booked
--   slot SECONDS         a start inside a week's working hours, as seconds from Monday
--                        00:00 (one line per start; starts are at least one hold apart)
--   service ID
--   practitioner ID      (one line each; consecutive slots go to consecutive practitioners)
--   patient ID           (one line each; a patient never holds two slots at one time)

-- Globals: done() reads them through thread:get().
sent, ok, non2xx, conflicts = 0, 0, 0, 0

local mode, path, nonce, offset = nil, nil, "", 0
local ids, slots, practitioners, patients = {}, {}, {}, {}
local base, service = 0, ""
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   mode = args[1]
   wrk.headers["Authorization"] = "Bearer " .. args[2]
   if mode == "get" then
      path = args[3]
   elseif mode == "patient" then
      for line in io.lines(args[3]) do
         if line ~= "" then ids[#ids + 1] = line end
      end
   elseif mode == "create-patient" then
      nonce = args[3]
      offset = tonumber(args[4])
      wrk.headers["Content-Type"] = "application/json"
   elseif mode == "book" then
      for line in io.lines(args[3]) do
         local key, value = line:match("^(%S+)%s+(%S+)$")
         if key == "base" then base = tonumber(value)
         elseif key == "slot" then slots[#slots + 1] = tonumber(value)
         elseif key == "service" then service = value
         elseif key == "practitioner" then practitioners[#practitioners + 1] = value
         elseif key == "patient" then patients[#patients + 1] = value
         end
      end
      offset = tonumber(args[4])
      wrk.headers["Content-Type"] = "application/json"
   else
      error("unknown mode " .. tostring(mode))
   end
end

-- Slot k (0-based): practitioner k mod P; the (k div P)-th start of the weekly plan.
local function booking(k)
   local np = #practitioners
   local j = math.floor(k / np)
   local week = math.floor(j / #slots)
   local at = base + week * 604800 + slots[(j % #slots) + 1]
   return string.format(
      '{"patient_id":"%s","practitioner_id":"%s","service_id":"%s","starts_at":"%s"}',
      patients[(k % #patients) + 1], practitioners[(k % np) + 1], service,
      os.date("!%Y-%m-%dT%H:%M:%SZ", at))
end

function request()
   local n = sent
   sent = sent + 1
   if mode == "get" then
      return wrk.format("GET", path)
   elseif mode == "patient" then
      return wrk.format("GET", "/api/v1/patients/" .. ids[(n % #ids) + 1])
   elseif mode == "create-patient" then
      local i = offset + n
      local body = string.format(
         '{"given_name":"Load%s","family_name":"Patient%d","date_of_birth":"%04d-%02d-%02d",' ..
         '"phone":"+44 7700 %06d","email":"load%s.%d@bench.example"}',
         nonce, i, 1940 + i % 60, 1 + i % 12, 1 + i % 28, i % 1000000, nonce, i)
      return wrk.format("POST", "/api/v1/patients", nil, body)
   else
      return wrk.format("POST", "/api/v1/appointments", nil, booking(offset + n))
   end
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      non2xx = non2xx + 1
      if status == 409 then conflicts = conflicts + 1 end
   end
end

function done(summary, latency, requests)
   local s, o, n, c = 0, 0, 0, 0
   for _, t in ipairs(threads) do
      s = s + t:get("sent")
      o = o + t:get("ok")
      n = n + t:get("non2xx")
      c = c + t:get("conflicts")
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
      '"sent":%d,"ok":%d,"non2xx":%d,"conflicts":%d,"counted":true}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, e.connect, e.read, e.write, e.status, e.timeout, s, o, n, c))
end
