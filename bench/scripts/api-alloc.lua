-- wrk script: POST /api/v1/networks/NET/allocations, one new MAC per request, until N answers.
--   wrk -t1 -c64 -d120s (an upper bound) -s api-alloc.lua URL -- NETWORK TOKEN N [MAC_PREFIX]
-- One wrk thread (its own Lua state) holds all 64 connections, so the MAC counter and the set of
-- addresses seen are in one place. Every answer's address is checked against every other: a
-- duplicate, or any status but 201, is counted and printed by done().
local network, token, prefix
n = 0 -- answers to wait for (global: done() reads it)
sent, answered, bad, dup = 0, 0, 0, 0 -- globals: done() reads them through thread:get
t0, t1 = 0, 0 -- wall clock (ns) before the first request and at the N-th answer

-- wrk gives its scripts no clock; one fork at each end of the run costs nothing measured
local function now_ns()
    local p = io.popen("date +%s%N")
    local t = tonumber(p:read("*l"))
    p:close()
    return t
end
local seen = {}

function init(args)
    network, token, n, prefix = args[1], args[2], tonumber(args[3]), args[4] or "02:00"
    wrk.method = "POST"
    wrk.path = "/api/v1/networks/" .. network .. "/allocations"
    wrk.headers["Authorization"] = "Bearer " .. token
    wrk.headers["Content-Type"] = "application/json"
    t0 = now_ns()
end

function request()
    sent = sent + 1
    local mac = string.format("%s:%02x:%02x:%02x:%02x", prefix,
        math.floor(sent / 16777216) % 256, math.floor(sent / 65536) % 256, math.floor(sent / 256) % 256, sent % 256)
    return wrk.format(nil, nil, nil, '{"mac":"' .. mac .. '"}')
end

function response(status, headers, body)
    answered = answered + 1
    if status ~= 201 then
        bad = bad + 1
    else
        local ip = string.match(body, '"ip"%s*:%s*"([%d.]+)"')
        if ip == nil then
            bad = bad + 1
        elseif seen[ip] then
            dup = dup + 1
        else
            seen[ip] = true
        end
    end
    if answered == n then
        t1 = now_ns()
        wrk.thread:stop()
        -- wrk's main thread sleeps for the whole -d duration whatever its threads do; SIGINT (its
        -- handler: stop and report) ends the run now. Sent from the background, and again until wrk
        -- is gone: system() ignores SIGINT in wrk until the shell it started returns.
        os.execute("(for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.05; kill -INT $PPID 2>/dev/null || exit 0; done) &")
    end
end

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local t = threads[1]
    local answered, bad, dup = t:get("answered"), t:get("bad"), t:get("dup")
    local wall = (t:get("t1") - t:get("t0")) / 1e9
    io.write(string.format(
        "requests=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms throughput=%.0f/s wall=%.2fs ok=%d errors=%d duplicates=%d socket-errors=%d\n",
        answered, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, t:get("n") / wall, wall,
        answered - bad - dup, bad, dup,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
