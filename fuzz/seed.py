#!/usr/bin/env python3
"""Writes seed inputs for every fuzz target from the repository's own inputs into
fuzz/seeds/<target>/ (not committed: `scripts/fuzz --seed` merges them into fuzz/corpus/ and
minimizes). Run from anywhere: python3 fuzz/seed.py"""
import hashlib, json, os, pathlib, re, struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(pattern):
    return sorted(p for p in ROOT.glob(pattern) if p.is_file())


def text(p):
    return p.read_text(encoding="utf-8")


# policy: policy documents, GetPolicy responses, invalid.txt pieces, corpus case documents.
for p in files("policies/**/*.json"):
    if "instances" in p.parts or "requests" in p.parts or p.name == "account.json":
        continue
    put("policy", text(p))
for p in files("tests/lint/*.json"):
    put("policy", text(p))
for kind in ("policies", "system-policies", "control-policies"):
    for p in files(f"tests/data/aliyun-export/{kind}/*.json"):
        put("policy", text(p))
invalid = text(ROOT / "tests/corpus/invalid.txt")
for section in re.split(r"^=== .*\n", invalid, flags=re.M)[1:]:
    body = "".join(l for l in section.splitlines(True) if not l.startswith("expect:"))
    put("policy", body)
for p in files("tests/corpus/*.json"):
    if p.name == "requests.json":
        continue
    doc = json.loads(text(p))
    for case in doc.get("cases", []):
        if "statements" in case:
            put("policy", json.dumps({"Version": "1", "Statement": case["statements"]}))
        for key in ("identity", "control", "session"):
            for d in (case.get(key) if isinstance(case.get(key), list) else [case.get(key)]):
                if isinstance(d, dict):
                    put("policy", json.dumps(d, indent=2))

# request: request files, request log lines, corpus requests.
for p in files("policies/requests/*.json"):
    put("request", text(p))
for line in text(ROOT / "policies/requests.jsonl").splitlines():
    if line.strip():
        put("request", line)
for p in files("tests/corpus/*.json"):
    doc = json.loads(text(p))
    base = doc.get("request", {})
    for case in doc.get("cases", []):
        r = dict(base)
        for k in ("action", "resource", "context", "absent"):
            if k in case:
                r[k] = case[k]
        put("request", json.dumps(r))

# account: account files.
for p in [ROOT / "policies/account.json", ROOT / "tests/data/aliyun-export.expected.json",
          ROOT / "tests/data/actiontrail-logs/account-without-guardrail.json"]:
    put("account", text(p))

# instance: instance files, and the shapes instance.rs reads.
for p in files("policies/instances/*.json"):
    put("instance", text(p))
for doc in [
    {"InstanceId": "r-1", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"},
    {"Instances": {"DBInstanceAttribute": [{"InstanceId": "r-1", "RegionId": "cn-hangzhou",
                                            "InstanceStatus": "Normal"}]},
     "DataFlashback": {"Enabled": True, "EarliestRestorableTime": "2026-11-20T00:00:00Z"}},
    {"DBInstanceAttribute": [{"InstanceId": "r-1", "InstanceStatus": "Migrating",
                              "DataFlashback": {"Enabled": False}}]},
]:
    put("instance", json.dumps(doc))

# actiontrail: single events, SLS records, logs.
for p in files("tests/data/actiontrail/*.json"):
    put("actiontrail", text(p))
for p in files("tests/data/actiontrail-logs/*"):
    if p.name != "account-without-guardrail.json":
        put("actiontrail", text(p))
for p in files("policies/requests.jsonl"):
    put("actiontrail", text(p))


# account_import: the export as a text archive, whole and with each file left out.
def archive(skip=None):
    out = []
    export = ROOT / "tests/data/aliyun-export"
    for p in sorted(export.rglob("*.json")):
        rel = p.relative_to(export).as_posix()
        if rel == skip:
            continue
        content = text(p)
        if not content.endswith("\n"):
            content += "\n"
        out.append(f"=== {rel}\n{content}")
    return "".join(out)


put("account_import", archive())
for rel in ["users.json", "policies/DbaRestore.json", "rd-account.json",
            "group-members/dba.json", "policy-attachments.json"]:
    put("account_import", archive(rel))

# wildcard: flags byte, pattern, 0, input (see ramguard::fuzzing::wildcard).
for flags, pattern, inp in [
    (2, b"kvstore:Restore*", b"kvstore:RestoreInstance"),
    (3, b"KVSTORE:restore?nstance", b"kvstore:RestoreInstance"),
    (2, b"acs:kvstore:*:*:instance/r-*", b"acs:kvstore:cn-hangzhou:1:instance/r-bp1"),
    (2, b"a*b?c*:*", b"axxbycz:q"),
    (3, "İ*ß?".encode(), "i\u0307xSSq".encode()),
    (0, bytes([0, 1, 2, 3, 0 + 24, 5]), bytes([5, 6, 3, 7, 8, 9])),
    (1, bytes([13, 0 + 1, 17, 2]), bytes([14, 15, 18, 19])),
]:
    put("wildcard", bytes([flags]) + pattern + b"\0" + inp)

# evaluate: choice bytes (see ramguard::fuzzing::evaluate).
import random
rng = random.Random(7)
for n in (8, 24, 48, 96, 160):
    for _ in range(4):
        put("evaluate", bytes(rng.randrange(256) for _ in range(n)))
print("seeds written to", OUT)
