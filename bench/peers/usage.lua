-- Peer "lua": the Confluent usage mapping written by hand for
-- lua-nginx-module + lua-cjson, the way an OpenResty developer would:
-- one ngx.location.capture of the same internal provider location the
-- module uses, cjson.decode, build the unified rows, cjson.encode.
--
-- Differences from the module that the benchmark accepts (BENCHMARKS.md):
-- remote_data is the decoded cost re-encoded by cjson (key order, "54.0"
-- printed as 54, "/" escaped as "\/"), not the provider's bytes.

local cjson = require "cjson"

local null = cjson.null
local capture = ngx.location.capture
local encode = cjson.encode
local concat = table.concat

-- integrated_account_id -> internal provider location (usage_metering_account)
local accounts = {
    ["acc-20"]     = "/_um/c20",
    ["acc-500"]    = "/_um/c500",
    ["acc-big"]    = "/_um/cbig",
    ["acc-stream"] = "/_um/cpages",
}

-- the provider's JSON null counts as absent, like a missing key
local function v(x)
    if x == null then return nil end
    return x
end

local function iso(d)          -- "2024-03-01" -> "2024-03-01T00:00:00.000Z"
    d = v(d)
    if type(d) == "string" and d:match("^%d%d%d%d%-%d%d%-%d%d$") then
        return d .. "T00:00:00.000Z"
    end
    return nil
end

local function charge(amount, kind)
    amount = v(amount)
    if amount == nil then return nil end
    return { amount = amount, currency = "USD", type = kind }
end

local function map_row(c)
    local row = { id = v(c.id), metric_name = v(c.line_type) }

    if v(c.product) ~= nil then row.product = { id = c.product } end

    local r = v(c.resource)
    if type(r) == "table" then
        local res = { id = v(r.id), name = v(r.display_name) }
        local env = v(r.environment)
        if type(env) == "table" and v(env.id) ~= nil then
            res.workspace = { id = env.id }
        end
        if next(res) then row.resources = { res } end
    end

    -- a charge without its amount is dropped, as the module does
    local charges = {}
    local t = charge(c.amount, "total")
    local u = charge(c.original_amount, "usage_based")
    local d = charge(c.discount_amount, "discount")
    if t then charges[#charges + 1] = t end
    if u then charges[#charges + 1] = u end
    if d then charges[#charges + 1] = d end
    if #charges > 0 then row.charges = charges end

    local q, unit = v(c.quantity), v(c.unit)
    if q ~= nil or unit ~= nil then row.usage = { quantity = q, unit = unit } end

    row.start_date = iso(c.start_date)
    row.end_date = iso(c.end_date)
    row.remote_data = c
    return row
end

local function fail(status, message)
    ngx.status = status
    ngx.header["Content-Type"] = "application/json"
    ngx.say(encode({ statusCode = status, message = message }))
    return ngx.exit(status)
end

local upstream = accounts[ngx.var.arg_integrated_account_id or ""]
if not upstream then
    return fail(404, "unknown integrated_account_id")
end

-- the current month, UTC, as the module's Confluent mapping asks
local now = os.date("!*t")
local start = string.format("%04d-%02d-01", now.year, now.month)
local ny, nm = now.year, now.month + 1
if nm > 12 then ny, nm = ny + 1, 1 end
local stop = string.format("%04d-%02d-01", ny, nm)

local res = capture(upstream .. "/billing/v1/costs",
                    { args = { start_date = start, end_date = stop } })
if res.status ~= 200 or res.truncated then
    return fail(502, "the provider answered " .. res.status)
end

local ok, page = pcall(cjson.decode, res.body)
if not ok or type(page) ~= "table" or type(page.data) ~= "table" then
    return fail(502, "the provider's answer is not a cost list")
end

-- each row encoded on its own: cjson has no empty-array marker in
-- Debian's 2.1.0, so the envelope is concatenated
local out, data = {}, page.data
for i = 1, #data do
    out[i] = encode(map_row(data[i]))
end

ngx.header["Content-Type"] = "application/json"
ngx.print('{"result":[', concat(out, ","), '],"next_cursor":null,"result_count":',
          #out, "}")
