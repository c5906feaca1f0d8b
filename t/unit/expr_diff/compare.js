/*
 * Differential test: evaluates every case of expr_cases.json with the
 * reference (npm jsonata) and compares with our engine's results, one JSON
 * line per case as t/unit/expr_diff/driver.c prints them.
 *
 *   node compare.js expr_cases.json ours.jsonl
 *
 * Equal results (deep-equal as JSON, numbers exactly) or errors on both
 * sides pass.  Cases marked "extension" are checked against "expected"
 * instead ({"error": true} for an expected error, "__undefined__" for no
 * result).  Exits 1 on any difference.
 */

'use strict';

const fs = require('fs');
const jsonata = require('jsonata');

const NOW = 1700000000000;      /* as the driver's */

function deepEqual(a, b) {
    if (a === b) {
        return true;
    }
    if (typeof a !== 'object' || typeof b !== 'object' || a === null
        || b === null) {
        return false;
    }
    if (Array.isArray(a) !== Array.isArray(b)) {
        return false;
    }
    if (Array.isArray(a)) {
        return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
    }
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length
        && ka.every((k, i) => k === kb[i] && deepEqual(a[k], b[k]));
}

function show(v) {
    return v === undefined ? 'undefined' : JSON.stringify(v);
}

async function reference(c) {
    const bindings = Object.assign({}, c.vars || {});
    bindings.now = () => new Date(NOW).toISOString();
    bindings.millis = () => NOW;
    try {
        const r = await jsonata(c.expr).evaluate(c.input, bindings);
        if (r === undefined) {
            return { ok: '__undefined__' };
        }
        return { ok: JSON.parse(JSON.stringify(r)) };
    } catch (e) {
        return { error: true, msg: (e.code || '') + ' ' + e.message };
    }
}

function same(ours, theirs) {
    if (theirs.error || ours.error) {
        return !!theirs.error && !!ours.error;
    }
    return deepEqual(ours.ok, theirs.ok);
}

async function main() {
    const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const ours = fs.readFileSync(process.argv[3], 'utf8').split('\n')
        .filter((l) => l.length > 0).map((l) => JSON.parse(l));

    if (ours.length !== cases.length) {
        console.log(`expected ${cases.length} results, got ${ours.length}`);
        process.exit(1);
    }

    let failed = 0, ext = 0;

    for (let i = 0; i < cases.length; i++) {
        const c = cases[i];
        let theirs;

        if (c.extension) {
            ext++;
            const x = c.expected;
            if (x !== null && typeof x === 'object' && x.error === true
                && Object.keys(x).length === 1) {
                theirs = { error: true };
            } else {
                theirs = { ok: x };
            }
        } else {
            theirs = await reference(c);
        }

        if (!same(ours[i], theirs)) {
            failed++;
            console.log(`FAIL #${i}: ${c.expr}`);
            console.log(`  input:  ${show(c.input)}`);
            if (c.vars) {
                console.log(`  vars:   ${show(c.vars)}`);
            }
            console.log(`  ours:   ${show(ours[i])}`);
            console.log(`  ${c.extension ? 'expect' : 'theirs'}: `
                + show(theirs));
            if (c.note) {
                console.log(`  note:   ${c.note}`);
            }
        }
    }

    console.log(`expr-diff: ${cases.length} cases (${ext} extension), `
        + `${failed} differences`);
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    console.error(e);
    process.exit(2);
});
