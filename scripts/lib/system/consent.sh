#!/usr/bin/env bash
# shellcheck shell=bash
#
# The GovStack Consent building block API (/consent/v1) of a live demo node, walked by a client nobody here
# wrote: Python requests for the calls, joserfc to verify each record's seal (a compact JWS) with the keys the
# node publishes. The main scenarios of the specification: create a data agreement, an individual and a consent
# record, read it back, verify it, opt out, and read the history as an auditor; then the refusals (no token,
# wrong scope, malformed JSON and ids, another individual's record) change nothing; last, the audit log holds
# the opt-in and opt-out with the individual as the data subject. Sourced by scripts/lib/system-tests.sh, whose
# helpers (pass, fail, expect_ok, start_server, stop_server, CLEAN_ENV, WORK, ROOT, BINARY) it uses.

# consent_tests: a demo country of 5 residents on SQLite, three API clients (one per consent scope).
consent_tests() {
    local data="$WORK/consent-demo" out="$WORK/consent" python="$ROOT/.venv/bin/python"
    [[ -x "$python" ]] || python="python3"
    rm -rf "$data" "$out"
    mkdir -p "$out"
    expect_ok "civitas demo --no-serve (for the Consent API)" -- "$BINARY" demo --no-serve --data "$data" --persons 5
    local scope
    for scope in consent.config consent.service consent.audit; do
        if ! "${CLEAN_ENV[@]}" "$BINARY" pki client create --data "$data" --log-level warning \
            --name "Consent $scope" --scope "$scope" >"$out/$scope.token" 2>"$out/$scope.err"; then
            fail "civitas pki client create --scope $scope" "$(cat "$out/$scope.err")"
            return
        fi
    done
    pass "civitas pki client create --scope consent.config, consent.service, consent.audit"
    if start_server "consent" -- demo --data "$data" --host 127.0.0.1 --port @PORT@; then
        if "$python" - "http://127.0.0.1:$SERVER_PORT/consent/v1" "$out" <<'PY' >"$out/walk.out" 2>&1; then
import json, sys, requests
from joserfc import jws
from joserfc.jwk import KeySet

base, out = sys.argv[1:3]
token = {s: open(f"{out}/{s}.token").read().strip() for s in ("consent.config", "consent.service", "consent.audit")}
def call(method, path, scope=None, individual=None, **kw):
    headers = {"Accept": "application/json"}
    if scope: headers["Authorization"] = f"Bearer {token[scope]}"
    if individual: headers["X-ConsentBB-IndividualId"] = individual
    headers.update(kw.pop("headers", {}))
    return requests.request(method, base + path, headers=headers, timeout=10, **kw)

policy = call("POST", "/config/policy/", "consent.config", json={"policy": {
    "name": "Health data policy", "version": "1", "url": "https://moh.example/policy/1", "jurisdiction": "CV"}})
assert policy.status_code == 200, policy.text
policy_id = policy.json()["policy"]["id"]
created = call("POST", "/config/data-agreement/", "consent.config", json={"dataAgreement": {
    "version": "1", "policy": {"id": policy_id}, "purpose": "Send vaccination reminders by SMS",
    "lawfulBasis": "consent", "dataUse": "data_using_service", "dpia": "https://moh.example/dpia",
    "controller": {"id": "moh", "name": "Ministry of Health", "url": "https://moh.example"},
    "dataAttributes": [{"name": "phone", "sensitivity": "medium", "category": "contact"}]}})
assert created.status_code == 200, created.text
agreement = created.json()["dataAgreement"]
assert agreement["policy"]["name"] == "Health data policy" and created.json()["revision"]["serializedHash"]
print("data agreement", agreement["id"])
individual = call("POST", "/service/individual/", "consent.service",
                  json={"individual": {"externalId": "a@example.org", "externalIdType": "email"}}).json()["individual"]
other = call("POST", "/service/individual/", "consent.service", json={"individual": {}}).json()["individual"]
made = call("POST", f"/service/individual/record/data-agreement/{agreement['id']}/", "consent.service",
            params={"individualId": individual["id"]})
assert made.status_code == 200, made.text
record = made.json()["consentRecord"]
assert record["optIn"] is True and record["state"] == "signed", record
read = call("GET", f"/service/individual/record/data-agreement/{agreement['id']}/", "consent.service",
            individual=individual["id"])
assert read.status_code == 200 and read.json()["consentRecord"]["id"] == record["id"], read.text
listed = call("GET", "/service/individual/record/consent-record/", "consent.service", individual=individual["id"])
assert [r["id"] for r in listed.json()["consentRecords"]] == [record["id"]], listed.text
verified = call("GET", f"/service/verification/consent-record/{record['id']}/", "consent.service")
assert verified.status_code == 200 and verified.json()["valid"] is True, verified.text

keys = KeySet.import_key_set(requests.get(base + "/keys/", timeout=10).json())
def check_seal(signature, revision):
    token = jws.deserialize_compact(signature["signature"], keys, algorithms=["ES256"])
    claims = json.loads(token.payload)
    assert token.payload.decode() == signature["payload"]
    assert claims["objectReference"] == revision["id"]
    assert claims["verificationPayload"] == revision["serializedSnapshot"]
    import hashlib
    assert hashlib.sha256(revision["serializedSnapshot"].encode()).hexdigest() == revision["serializedHash"]
check_seal(record["signature"], made.json()["revision"])
print("joserfc verifies the seal")

out_ = call("PUT", f"/service/individual/record/consent-record/{record['id']}/", "consent.service",
            individual=individual["id"], json={"consentRecord": {"optIn": False}})
assert out_.status_code == 200 and out_.json()["consentRecord"]["optIn"] is False, out_.text
audited = call("GET", f"/audit/consent-record/{record['id']}/", "consent.audit")
revisions = audited.json()["revisions"]
assert [r["optIn"] for r in revisions] == [True, False] and all(r["verified"] for r in revisions), audited.text
assert revisions[1]["revision"]["predecessorHash"] == revisions[0]["revision"]["serializedHash"]
for entry in revisions:
    check_seal(entry["signature"], entry["revision"])
print("audit: two sealed revisions, chained")

# Refusals: each a problem+json, and nothing changes.
def problem(answer, status):
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["Content-Type"].startswith("application/problem+json"), answer.headers
assert call("GET", "/audit/consent-records/").status_code == 401
problem(call("POST", "/config/data-agreement/", "consent.service", json={}), 403)
problem(call("GET", "/audit/consent-records/", "consent.config"), 403)
problem(call("POST", "/config/data-agreement/", "consent.config", data="{\"dataAgreement\": {",
             headers={"Content-Type": "application/json"}), 400)
for malformed in ("invalid_id", "123!%40%23"):
    problem(call("GET", f"/config/data-agreement/{malformed}/", "consent.config"), 400)
problem(call("GET", "/config/data-agreement/da-0000000000000000/", "consent.config"), 404)
problem(call("PUT", f"/service/individual/record/consent-record/{record['id']}/", "consent.service",
             individual=other["id"], json={"consentRecord": {"optIn": True}}), 404)
again = call("GET", f"/audit/consent-record/{record['id']}/", "consent.audit").json()
assert len(again["revisions"]) == 2 and again["consentRecord"]["optIn"] is False
print("refusals change nothing")
PY
            pass "the Consent API's main scenarios (requests; seals verified by joserfc)"
        else
            fail "the Consent API's main scenarios (requests; seals verified by joserfc)" "$(tail -n 15 "$out/walk.out")"
        fi
        stop_server "consent"
    fi
    if "${CLEAN_ENV[@]}" "$BINARY" audit list --data "$data" --log-level warning \
        --subject "consent-individual:$(sqlite3 "$data/civitas.sqlite" \
            "SELECT id FROM identity_consent_individuals WHERE external_id = 'a@example.org'")" \
        >"$out/audit.out" 2>&1 && grep -q "identity.consent.record.opt-in" "$out/audit.out" \
        && grep -q "identity.consent.record.opt-out" "$out/audit.out"; then
        pass "civitas audit list shows the opt-in and the opt-out with the individual as the data subject"
    else
        fail "civitas audit list shows the opt-in and the opt-out" "$(tail -n 5 "$out/audit.out")"
    fi
    expect_ok "civitas audit verify after the consent changes" -- "$BINARY" audit verify --data "$data"
}
