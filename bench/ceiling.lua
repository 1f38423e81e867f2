-- wrk script of bench-http for the `GET /healthz` ceiling: no request() and no
-- response() hook, so wrk sends its one static request and skips parsing bodies
-- (the cheapest client wrk can be). Non-2xx here is wrk's own count of statuses
-- above 399. Prints one `BENCH {json}` line.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
      '"sent":0,"ok":0,"non2xx":%d,"conflicts":0,"counted":false}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, e.connect, e.read, e.write, e.status, e.timeout, e.status))
end
