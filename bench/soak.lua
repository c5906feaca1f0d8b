-- wrk script of the soak (bench/run.sh --soak): a mix of every format and
-- of the error cases, round robin, each with the status it must answer.
--
--   wrk ... -s bench/soak.lua URL -- CURSOR_LIMIT CURSOR_PROVIDER
--
-- CURSOR_LIMIT is a next_cursor the module gave for the 500-row page with
-- limit=100 (the rows after the first 100), CURSOR_PROVIDER one for the
-- second provider page of the paginated account; without a cursor secret
-- and ttl a cursor stays valid as long as the instance runs.
--
-- wrk cannot tell which request a response answers, so each thread counts
-- the requests it made per expected status and the responses per status:
-- as long as every answer is the expected one, no status is answered more
-- often than it was asked for, and the requests left unanswered at the end
-- are at most the connections.  Every body is also checked against its
-- status (a JSON envelope for 200, the unified error for the others).

local API = "/unified/usage-metering/usage"

local mix = {}

local function add(status, query, accept, path)
    mix[#mix + 1] = { status = status, path = (path or API) .. "?" .. query,
                      accept = accept or "application/json" }
end

function init(args)
    local cur_limit, cur_provider = args[1], args[2]

    add(200, "integrated_account_id=acc-20")
    add(200, "integrated_account_id=acc-500")
    add(200, "integrated_account_id=acc-20&truto_response_format=normalized")
    add(200, "integrated_account_id=acc-20&truto_response_format=raw")
    add(200, "integrated_account_id=acc-20&truto_response_format=debug")
    add(200, "integrated_account_id=acc-soak&truto_response_format=stream")
    add(200, "integrated_account_id=acc-soak&truto_response_format=stream",
        "application/x-ndjson")
    add(200, "integrated_account_id=acc-500&limit=100")
    add(200, "integrated_account_id=acc-500&limit=100&next_cursor="
             .. cur_limit)
    add(200, "integrated_account_id=acc-soak")
    add(200, "integrated_account_id=acc-soak&next_cursor=" .. cur_provider)
    add(200, "integrated_account_id=acc-20&truto_key_by=id"
             .. "&truto_exclude_fields=charges,usage.unit")
    add(200, "integrated_account_id=acc-20&truto_ignore_remote_data=true")
    add(200, "integrated_account_id=acc-20&integrated_account_id=acc-soak")
    add(404, "integrated_account_id=acc-unknown")
    add(400, "integrated_account_id=acc-20&limit=0")
    add(400, "integrated_account_id=acc-20&start_date=2024-02-30")
    add(400, "integrated_account_id=acc-20&next_cursor=forged")
    add(502, "integrated_account_id=acc-err")
    add(502, "integrated_account_id=acc-bad")
    add(404, "integrated_account_id=acc-20",
        nil, "/unified/usage-metering/nothing")

    i = math.random(#mix) - 1
    asked = {}
    got = {}
    bad_body = 0
    first_bad = ""
end

function request()
    local m

    i = i % #mix + 1
    m = mix[i]
    asked[m.status] = (asked[m.status] or 0) + 1

    return wrk.format("GET", m.path, { Accept = m.accept })
end

local function body_ok(status, headers, body)
    local ct = headers["Content-Type"] or headers["content-type"] or ""

    if status == 200 then
        if ct:find("x-ndjson", 1, true) then
            return body:sub(1, 7) == '{"id":"'
        end

        return body:sub(1, 10) == '{"result":'
               or body:sub(1, 14) == '{"api_version"'
    end

    return body:sub(1, 14 + #tostring(status))
           == '{"statusCode":' .. status
end

function response(status, headers, body)
    got[status] = (got[status] or 0) + 1

    if not body_ok(status, headers, body) then
        bad_body = bad_body + 1

        if first_bad == "" then
            first_bad = status .. " " .. body:sub(1, 120)
        end
    end
end

-- the threads' counters, read back in done()

local threads = {}

function setup(thread)
    threads[#threads + 1] = thread
end

local STATUSES = { 200, 400, 404, 500, 502, 503, 504 }

function done(summary, latency, requests)
    local asked_t, got_t, bad, first = {}, {}, 0, ""
    local unexpected, unanswered, other = 0, 0, 0

    for _, t in ipairs(threads) do
        local a, g = t:get("asked"), t:get("got")

        for s, n in pairs(a) do asked_t[s] = (asked_t[s] or 0) + n end
        for s, n in pairs(g) do got_t[s] = (got_t[s] or 0) + n end
        bad = bad + t:get("bad_body")
        if first == "" then first = t:get("first_bad") end
    end

    for s, n in pairs(got_t) do
        local a = asked_t[s] or 0

        if n > a then
            unexpected = unexpected + (n - a)
        end
    end

    for s, a in pairs(asked_t) do
        if a > (got_t[s] or 0) then
            unanswered = unanswered + (a - (got_t[s] or 0))
        end
    end

    io.write(string.format("soak_requests=%d\n", summary.requests))
    for _, s in ipairs(STATUSES) do
        io.write(string.format("soak_asked_%d=%d\nsoak_got_%d=%d\n",
                               s, asked_t[s] or 0, s, got_t[s] or 0))
    end
    for s, n in pairs(got_t) do
        local known = false
        for _, k in ipairs(STATUSES) do known = known or k == s end
        if not known then other = other + n end
    end
    io.write(string.format("soak_other_statuses=%d\n", other))
    io.write(string.format("soak_unexpected=%d\n", unexpected))
    io.write(string.format("soak_unanswered=%d\n", unanswered))
    io.write(string.format("soak_bad_bodies=%d\n", bad))
    io.write(string.format("soak_first_bad=%s\n", first:gsub("\n", " ")))
    io.write(string.format("soak_errors_connect=%d\nsoak_errors_read=%d\n"
                           .. "soak_errors_write=%d\nsoak_errors_status=%d\n"
                           .. "soak_errors_timeout=%d\n",
                           summary.errors.connect, summary.errors.read,
                           summary.errors.write, summary.errors.status,
                           summary.errors.timeout))
    io.write(string.format("soak_latency_p50_ms=%.1f\nsoak_latency_p99_ms=%.1f\n"
                           .. "soak_latency_max_ms=%.1f\n",
                           latency:percentile(50) / 1000,
                           latency:percentile(99) / 1000,
                           latency.max / 1000))
end
