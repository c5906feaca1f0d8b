#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<part>/.

Run from the repository root when the mappings, the provider samples or
the test cases change much (the seeds are committed; the fuzzer itself
never writes there):  python3 fuzz/seeds.py [provider-samples-dir]
"""

import base64
import glob
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys

CORPUS = "fuzz/corpus"
SEP = b"\x1e"


def write(part, name, data):
    d = os.path.join(CORPUS, part)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clear(part):
    # regress-*: reproducers of fixed findings, kept
    for f in glob.glob(os.path.join(CORPUS, part, "*")):
        if not os.path.basename(f).startswith("regress-"):
            os.unlink(f)


# request: route?query as the client sends it

REQUESTS = [
    "usage?integrated_account_id=acc%201&start_date=2024-03-01"
    "&end_date=2024-03-31T10:00:00%2B02:00&limit=20",
    "usage?truto_response_format=debug&truto_ignore_remote_data=true"
    "&truto_exclude_fields[]=id&truto_exclude_fields=a,b.c",
    "usage?remote_query[foo]=b+r&remote_query[x][y]=1&user_ids[]=u1"
    "&user_ids[]=u2&filter[a]=1&plain=1&plain=2",
    "users/u-1?integrated_account_id=a&integrated_account_id=b",
    "/products/?next_cursor=AQAAAAAAAAPo&truto_key_by=id",
    "workspaces/%C3%A9?truto_response_format=stream&truto_ignore_limit=true",
    "organizations?truto_skip_api_call=true&limit=10000",
    "usage?start_date=2024-02-29T23:59:59.999Z&end_date=2024-03-01",
    "users/a%0d%0ab?remote_query[a%0d%0a]=x%00",
    "usage?a[b][c][d]=1&a[b][e]=2&a[]=3",
    "usage?truto_response_format=normalized&limit=1&&&=",
]


def seeds_request():
    clear("request")
    for i, r in enumerate(REQUESTS):
        write("request", "seed-%02d" % i, r)


# cursor: b"\0" + token, or b"\1" + payload the harness signs

KEY = b"fuzz-cursor-secret"


def varint(v):
    o = b""
    while v >= 0x80:
        o += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return o + bytes([v])


def payload(issued, parts):
    raw = b"\x01" + struct.pack(">Q", issued) + b"\x00" * 16
    raw += varint(len(parts))
    for stream, offset, cont in parts:
        raw += varint(stream) + varint(offset) + varint(len(cont)) + cont
    return raw


def seeds_cursor():
    clear("cursor")
    cases = [
        (0, [(0, 0, b"/costs?page_token=T2")]),
        (1700000000, [(0, 0, b"t2"), (3, 17, b"")]),
        (1700000000, []),
        (0, [(1, 2**40, b"x" * 40)]),
    ]
    for i, (issued, parts) in enumerate(cases):
        raw = payload(issued, parts)
        write("cursor", "payload-%d" % i, b"\x01" + raw)
        tok = raw + hmac.new(KEY, raw, hashlib.sha256).digest()[:16]
        tok = base64.urlsafe_b64encode(tok).rstrip(b"=")
        write("cursor", "token-%d" % i, b"\x00" + tok)
    write("cursor", "token-bad", b"\x00a+b/c=")


# expr: expressions of the differential test

def seeds_expr():
    clear("expr")
    cases = json.load(open("t/unit/expr_cases.json"))
    seen = set()
    n = 0
    for c in cases:
        e = c["expr"]
        if e in seen or len(e) > 200:
            continue
        seen.add(e)
        if len(seen) % 6 == 0:
            write("expr", "seed-%03d" % n, e)
            n += 1


# map_compile: mapping files (then run over a generic answer)

def seeds_map_compile():
    clear("map_compile")
    for f in sorted(glob.glob("mappings/*.json") + glob.glob(
            "fuzz/mappings/*.json")):
        write("map_compile", os.path.basename(os.path.dirname(f)) + "-"
              + os.path.basename(f), open(f, "rb").read())
    write("map_compile", "override-base",
          '{"provider": "base", "resources": {"usage": {"list": {"row": '
          '{"name": null, "extra": "$uppercase(name)"}}}}}')


# map_exec: flags, method, query, id, continuation, body, headers, joins

def exec_seed(flags, method, query="", id="", cont="", body="", headers="",
              joins=()):
    parts = [method, query, id, cont, body, headers] + list(joins)
    return bytes([flags]) + SEP.join(p.encode() if isinstance(p, str) else p
                                     for p in parts)


TEST_BODIES = {
    "lang usage list": '{"data":[{"start":1705276800,"results":[{"model":'
    '"gpt-5","user_id":"u1","input_tokens":10,"output_tokens":2.0},'
    '{"model":"gpt-5","user_id":"u2","input_tokens":7}]},{"start":'
    '1705363200,"results":[]}],"day":"2024-01-15"}',
    "lang products list": '{"orgs":[{"org":"acme","charges":[{"product":'
    '"logs","type":"committed","cost":0},{"product":"apm","type":'
    '"on_demand","cost":72.5},{"product":"logs","type":"on_demand",'
    '"cost":3}]}]}',
    "lang users list": '{"data":[{"user":"a","chat":{"messages":4},"code":'
    '{"sessions":0}},{"user":"b","chat":{"messages":0},"code":{"sessions":'
    '2}}]}',
    "lang workspaces list": '{"error":{"message":"quota exhausted"}}',
    "pg users list": '{"data":[{"id":"u1"},{"id":"u2"}],"next_page":"t2"}',
    "pg workspaces list": '{"items":[{"id":"w1"}],"links":{"next":'
    '"https://api.example.com/workspaces?size=2&cursor=c2"}}',
    "pg organizations list": '{"data":[{"id":"o1"},{"id":"o2"}]}',
    "pg usage list": '{"data":[{"id":"x1"}],"has_more":true,"last_id":"x2"}',
    "pg products list": '[{"id":"p1"},{"id":"p2"}]',
    "test users list": '{"items":[{"id":"u1","name":"One","email":'
    '"one@example.com","org":{"id":"o1","name":"Org"}}]}',
    "test users get": '{"user":{"id":"u1","name":"Got"}}',
    "test products list": '{}',
    "feat usage list": '{"result":{"data":[{"id":"r1","day":1700000000,'
    '"lines":[{"n":1,"kind":"a","qty":2,"cost":1.5,"tag":"x"},{"n":2,'
    '"kind":"a","qty":3,"tag":"y"},{"n":3,"kind":"b","qty":1}]}]},'
    '"meta":{"next_token":"nt2"}}',
    "feat usage get": '{"result":{"id":"r1","lines":[{"kind":"a","qty":1}]}}',
    "feat workspaces list": '[{"id":1,"name":"one"},{"id":"2"}]',
    "feat users get": '{"id":"u1","email":"u@example.com"}',
}

TEST_QUERIES = {
    "feat usage list": "from=2024-02-01&days=3&ids[]=a&ids[]=b&extra=yes"
    "&q=%C3%A9&team=t1&remote_query[size]=9&limit=2",
    "lang usage list": "date=2024-01-16&remote_query[day]=x",
}


def seeds_map_exec(samples):
    clear("map_exec")
    env = dict(os.environ, FUZZ_LIST_METHODS="1")
    methods = subprocess.run(["build/fuzz/fuzz_map_exec"], env=env,
                             capture_output=True, text=True,
                             check=True).stdout.split("\n")
    methods = [m for m in methods if m]
    n = 0

    for m, body in sorted(TEST_BODIES.items()):
        write("map_exec", "test-%02d" % n,
              exec_seed(0x1C if "list" in m else 0, m,
                        TEST_QUERIES.get(m, "limit=5"), "u1", "t2", body,
                        'Link: <https://api.example.com/products?p=2>; '
                        'rel="next"\nX-Limit: 10\nx-remaining: 3\n'
                        'x-reset: \xff\xfe'))
        n += 1

    write("map_exec", "join-0",
          exec_seed(0, "joined usage list", "", "", "", TEST_BODIES[
              "lang usage list"], "", ['{"data":[{"id":"u1","email":'
                                       '"one@example.com","name":"One"}]}']))

    # the provider samples, with the methods of their provider that look
    # like theirs by name (the fuzzer crosses them over anyway)

    words = {"organizations": ["org"], "workspaces": ["workspace", "project",
                                                      "environment"],
             "users": ["user", "member"], "usage": ["usage", "cost",
                                                    "spend", "consumption",
                                                    "report", "summar"],
             "products": ["product"]}

    for f in sorted(glob.glob(os.path.join(samples, "*.json"))):
        name = os.path.basename(f)[:-5]
        prov = name.split("_")[0]
        body = open(f, "rb").read()
        mine = [m for m in methods if m.split(" ")[0] == prov]
        pick = [m for m in mine
                if any(w in name for w in words[m.split(" ")[1]])
                and m.endswith("list")] or [m for m in mine
                                            if m.endswith("list")][:1]
        for m in pick:
            write("map_exec", "%s-%s" % (name, m.replace(" ", "-")),
                  exec_seed(0, m, "start_date=2024-03-01&limit=3", "x1",
                            "", body, "ratelimit-limit: 100\n"
                            "Content-Type: application/json"))


# json: provider answers and the scanner's corner cases

def seeds_json(samples):
    clear("json")
    for f in sorted(glob.glob(os.path.join(samples, "*.json")))[::3]:
        write("json", os.path.basename(f), open(f, "rb").read())
    for i, s in enumerate([
            ' { "a" : [ 1 , {"x":"q\\"}"} , [ ] ] , "b\\u0061" : "s" ,'
            ' "a" : [ 2 ] } ',
            '[1,-0.0,1e308,"\\u0000\\ud83d\\ude00",true,null,{}]',
            '"\\\\\\""', '{"data":[{"a":"\\\\"},[[[]]]]}']):
        write("json", "edge-%d" % i, s)


if __name__ == "__main__":
    samples = sys.argv[1] if len(sys.argv) > 1 \
        else "/work/shared/providers/samples"
    seeds_request()
    seeds_cursor()
    seeds_expr()
    seeds_map_compile()
    seeds_map_exec(samples)
    seeds_json(samples)
