// Peer "njs": the Confluent usage mapping written by hand for njs
// (libnginx-mod-http-js): r.subrequest of the same internal provider
// location the module uses, JSON.parse, build the unified rows,
// JSON.stringify.  remote_data is the parsed cost re-serialized (54.0 is
// printed 54), which the benchmark accepts (BENCHMARKS.md).

// integrated_account_id -> internal provider location (usage_metering_account)
var ACCOUNTS = {
    'acc-20': '/_um/c20',
    'acc-500': '/_um/c500',
    'acc-big': '/_um/cbig',
    'acc-stream': '/_um/cpages'
};

function pad(n) {
    return n < 10 ? '0' + n : '' + n;
}

// "2024-03-01" -> "2024-03-01T00:00:00.000Z" (date-only strings are UTC)
function iso(d) {
    if (typeof d !== 'string') {
        return undefined;
    }
    var t = new Date(d);
    return isNaN(t) ? undefined : t.toISOString();
}

function has(x) {
    return x !== undefined && x !== null;
}

function mapRow(c) {
    var row = { id: c.id };
    var r = c.resource;
    var charges = [];

    if (has(c.product)) {
        row.product = { id: c.product };
    }

    row.metric_name = c.line_type;

    if (r && typeof r === 'object') {
        var res = {};
        if (has(r.id)) { res.id = r.id; }
        if (has(r.display_name)) { res.name = r.display_name; }
        if (r.environment && has(r.environment.id)) {
            res.workspace = { id: r.environment.id };
        }
        if (Object.keys(res).length) {
            row.resources = [res];
        }
    }

    // a charge without its amount is dropped, as the module does
    if (has(c.amount)) {
        charges.push({ amount: c.amount, currency: 'USD', type: 'total' });
    }
    if (has(c.original_amount)) {
        charges.push({ amount: c.original_amount, currency: 'USD',
                       type: 'usage_based' });
    }
    if (has(c.discount_amount)) {
        charges.push({ amount: c.discount_amount, currency: 'USD',
                       type: 'discount' });
    }
    if (charges.length) {
        row.charges = charges;
    }

    if (has(c.quantity) || has(c.unit)) {
        row.usage = {};
        if (has(c.quantity)) { row.usage.quantity = c.quantity; }
        if (has(c.unit)) { row.usage.unit = c.unit; }
    }

    row.start_date = iso(c.start_date);
    row.end_date = iso(c.end_date);
    row.remote_data = c;
    return row;
}

function fail(r, status, message) {
    r.headersOut['Content-Type'] = 'application/json';
    r.return(status, JSON.stringify({ statusCode: status, message: message }));
}

async function usage(r) {
    var upstream = ACCOUNTS[r.args.integrated_account_id];

    if (!upstream) {
        fail(r, 404, 'unknown integrated_account_id');
        return;
    }

    // the current month, UTC, as the module's Confluent mapping asks
    var now = new Date();
    var y = now.getUTCFullYear(), m = now.getUTCMonth() + 1;
    var start = y + '-' + pad(m) + '-01';
    var stop = (m === 12 ? y + 1 : y) + '-' + pad(m === 12 ? 1 : m + 1) + '-01';

    var reply = await r.subrequest(upstream + '/billing/v1/costs',
                                   { args: 'start_date=' + start
                                           + '&end_date=' + stop });
    if (reply.status !== 200) {
        fail(r, 502, 'the provider answered ' + reply.status);
        return;
    }

    var page;
    try {
        page = JSON.parse(reply.responseText);
    } catch (e) {
        fail(r, 502, 'the provider answer is not JSON');
        return;
    }
    if (!page || !Array.isArray(page.data)) {
        fail(r, 502, 'the provider answer is not a cost list');
        return;
    }

    var rows = page.data.map(mapRow);

    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, JSON.stringify({ result: rows, next_cursor: null,
                                   result_count: rows.length }));
}

export default { usage };
