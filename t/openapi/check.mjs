// Checks what a running nginx serves for the unified API's documents:
//
//   node t/openapi/check.mjs <base URL> <validator's index.js>
//
// - {prefix}/openapi.json of /unified/usage-metering (no API key) and of
//   /keyed/usage-metering (with one) is a valid OpenAPI 3.1 document for
//   @seriousme/openapi-schema-validator, with the prefix as its server and
//   the security requirement only where a key is set;
// - every resource has its list and get operation;
// - for every loaded provider, resource and method, the meta endpoint
//   answers 200 exactly where the document's x-providers says the provider
//   supports the operation (else 404), its documentation_link points at
//   that operation, and its schemas compile as JSON Schema 2020-12.
//
// Exits non-zero on the first document error, or after every meta check
// when any failed.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const [base, validatorPath] = process.argv.slice(2);

if (!base || !validatorPath) {
    console.error("usage: node check.mjs <base URL> <validator's index.js>");
    process.exit(2);
}

const { Validator } = await import(pathToFileURL(validatorPath));

// ajv comes with the validator: compile the meta schemas with it
const require = createRequire(join(dirname(validatorPath), "package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default ?? require("ajv-formats");

const resources = ["organizations", "products", "usage", "workspaces", "users"];
const methods = ["list", "get"];

let failures = 0;
let checks = 0;

function check(ok, what) {
    checks++;
    if (!ok) {
        failures++;
        console.error("FAIL: " + what);
    }
    return ok;
}

async function get(path, headers = {}) {
    const r = await fetch(base + path, { headers });
    return {
        status: r.status,
        type: r.headers.get("content-type"),
        text: await r.text(),
    };
}

function pointer(doc, ptr) {
    let cur = doc;
    for (const raw of ptr.split("/").slice(1)) {
        const tok = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
        if (cur === null || typeof cur !== "object" || !(tok in cur)) {
            return undefined;
        }
        cur = cur[tok];
    }
    return cur;
}

async function documentOf(prefix, keyed) {
    const r = await get(prefix + "/openapi.json");

    if (!check(r.status === 200 && r.type === "application/json",
               `${prefix}/openapi.json: 200 application/json, got ${r.status} ${r.type}`)) {
        process.exit(1);
    }

    const doc = JSON.parse(r.text);
    const res = await new Validator().validate(doc);

    if (!check(res.valid, `${prefix}/openapi.json is a valid OpenAPI document`)) {
        console.error(JSON.stringify(res.errors, null, 2));
        process.exit(1);
    }

    check(doc.openapi === "3.1.0", `${prefix}: openapi 3.1.0, got ${doc.openapi}`);
    check(doc.servers?.[0]?.url === prefix,
          `${prefix}: servers[0].url, got ${JSON.stringify(doc.servers)}`);
    check(keyed ? JSON.stringify(doc.security) === '[{"bearerAuth":[]}]'
                : doc.security === undefined,
          `${prefix}: security ${JSON.stringify(doc.security)}`);

    for (const res of resources) {
        check(doc.paths?.[`/${res}`]?.get, `${prefix}: GET /${res}`);
        check(doc.paths?.[`/${res}/{id}`]?.get, `${prefix}: GET /${res}/{id}`);
    }

    return doc;
}

const doc = await documentOf("/unified/usage-metering", false);
await documentOf("/keyed/usage-metering", true);

const metaOp = doc.paths["/{resource}/{provider}/meta/{method}"].get;
const providers = metaOp.parameters.find((p) => p.name === "provider").schema.enum ?? [];

check(providers.length > 0, "the example loads at least one provider");

const ajv = new Ajv2020({ strict: false });
addFormats(ajv);

let supported = 0;
let answered = 0;

for (const provider of providers) {
    for (const res of resources) {
        for (const method of methods) {
            const path = method === "list" ? `/${res}` : `/${res}/{id}`;
            const op = doc.paths[path].get;
            const yes = op["x-providers"].includes(provider);
            const url = `/unified/usage-metering/${res}/${provider}/meta/${method}`;
            const r = await get(url);

            answered++;

            if (!check(r.status === (yes ? 200 : 404),
                       `${url}: ${yes ? 200 : 404} as x-providers says, got ${r.status}`)) {
                continue;
            }

            const m = JSON.parse(r.text);

            if (!yes) {
                check(m.statusCode === 404 && m.message.includes(provider),
                      `${url}: a 404 that names the provider: ${r.text}`);
                continue;
            }

            supported++;

            check(m.provider === provider && m.resource === res && m.method === method,
                  `${url}: names what it describes`);

            const link = m.documentation_link ?? "";
            const [linkPath, fragment] = link.split("#");
            check(linkPath === "/unified/usage-metering/openapi.json"
                  && pointer(doc, fragment ?? "") === op,
                  `${url}: documentation_link ${link} is the operation`);

            check(Array.isArray(m.fields) && m.fields.includes("id"),
                  `${url}: fields include id: ${JSON.stringify(m.fields)}`);
            check(JSON.stringify(op["x-provider-query-parameters"][provider])
                  === JSON.stringify(m.query_parameters),
                  `${url}: query_parameters as in the document`);

            for (const name of ["schema", "response_schema", "query_schema"]) {
                try {
                    ajv.compile(m[name]);
                    check(true, "");
                } catch (e) {
                    check(false, `${url}: ${name} is a JSON Schema: ${e.message}`);
                }
            }
        }
    }
}

// the documents need no key where keys are set; the data endpoints do
const keyedMeta = await get(`/keyed/usage-metering/usage/${providers[0]}/meta/list`);
check([200, 404].includes(keyedMeta.status), `keyed meta needs no key, got ${keyedMeta.status}`);
const keyedData = await get("/keyed/usage-metering/usage?integrated_account_id=x");
check(keyedData.status === 401, `keyed data wants a key, got ${keyedData.status}`);

console.log(`openapi-validate: ${Object.keys(doc.paths).length} paths valid (OpenAPI ${doc.openapi}); `
            + `${providers.length} providers, ${answered} meta endpoints checked, `
            + `${supported} supported; ${checks - failures}/${checks} checks passed`);

process.exit(failures ? 1 : 0);
