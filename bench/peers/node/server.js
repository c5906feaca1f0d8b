// Peer "node": a Node.js service that calls the provider itself and maps
// its page with JSONata (usage.jsonata); nginx proxies to it
// (bench/conf/node.conf).  One process, like the one nginx worker of the
// other contenders.
//
//   node server.js PORT MOCK_PORT
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const jsonata = require('jsonata');

const port = Number(process.argv[2]);
const mockPort = Number(process.argv[3]);

// integrated_account_id -> the mock's provider prefix
const ACCOUNTS = { 'acc-20': '/p20', 'acc-500': '/p500', 'acc-big': '/big' };

const expr = jsonata(fs.readFileSync(path.join(__dirname, 'usage.jsonata'), 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function pad(n) { return n < 10 ? '0' + n : '' + n; }

function fetchProvider(prefix) {
    const now = new Date();
    const y = now.getUTCFullYear(), m = now.getUTCMonth() + 1;
    const start = `${y}-${pad(m)}-01`;
    const stop = `${m === 12 ? y + 1 : y}-${pad(m === 12 ? 1 : m + 1)}-01`;
    return new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: mockPort, agent,
                   path: `${prefix}/billing/v1/costs?start_date=${start}&end_date=${stop}`,
                   headers: { Accept: 'application/json' } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode,
                                          body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
        }).on('error', reject);
    });
}

function send(res, status, obj) {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'Content-Type': 'application/json',
                            'Content-Length': Buffer.byteLength(body) });
    res.end(body);
}

http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const prefix = ACCOUNTS[url.searchParams.get('integrated_account_id')];
    if (!prefix) {
        return send(res, 404, { statusCode: 404, message: 'unknown integrated_account_id' });
    }
    try {
        const p = await fetchProvider(prefix);
        if (p.status !== 200) {
            return send(res, 502, { statusCode: 502, message: `the provider answered ${p.status}` });
        }
        const rows = (await expr.evaluate(JSON.parse(p.body))) || [];
        send(res, 200, { result: rows, next_cursor: null, result_count: rows.length });
    } catch (e) {
        send(res, 502, { statusCode: 502, message: String(e && e.message || e) });
    }
}).listen(port, '127.0.0.1', () => {
    console.log(`node peer listening on 127.0.0.1:${port}`);
});
