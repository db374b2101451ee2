#!/usr/bin/env bash
# shellcheck shell=bash
#
# Electronic powers of attorney end to end with outside tools: a legal entity and its director recorded with
# the CLI, a qualified signature certificate issued from an openssl CSR, two demo residents signed in with
# Python requests, the power drafted, signed (civitas sign), accepted and verified with curl, and the
# downloaded signature checked by `openssl cms -verify` against the national root.
# Sourced by scripts/lib/system-tests.sh, whose helpers (pass, fail, expect_ok, start_server, stop_server,
# CLEAN_ENV, WORK, ROOT, BINARY) it uses.

representation_tests() {
    local data="$WORK/poa-demo" out="$WORK/poa"
    rm -rf "$data" "$out"
    mkdir -p "$out"
    expect_ok "civitas demo --no-serve (for powers of attorney)" -- "$BINARY" demo --no-serve --data "$data" \
        --persons 20
    local rows
    mapfile -t rows < <(sqlite3 "$data/civitas.sqlite" \
        "SELECT username || ' ' || personal_number FROM identity_accounts WHERE username LIKE 'demo.%'
         ORDER BY username LIMIT 2")
    if [[ ${#rows[@]} -ne 2 ]]; then
        fail "find two demo residents with accounts" "found: ${rows[*]}"
        return
    fi
    local principal_user principal attorney_user attorney
    read -r principal_user principal <<<"${rows[0]}"
    read -r attorney_user attorney <<<"${rows[1]}"
    expect_ok "civitas identity entity add records a legal entity" -- "$BINARY" identity entity add --data "$data" \
        --log-level warning --code 205000002 --name "შპს სატესტო" --name-latin "Satesto" --form LLC
    expect_ok "civitas identity entity representative records its sole director" -- "$BINARY" identity entity \
        representative --data "$data" --log-level warning --code 205000002 --personal-number "$principal" \
        --role director --right sole
    if "${CLEAN_ENV[@]}" "$BINARY" identity entity show --data "$data" --log-level warning --code 205000002 \
        >"$out/entity.out" 2>&1 && grep -q "$principal director sole" "$out/entity.out"; then
        pass "civitas identity entity show lists the director"
    else
        fail "civitas identity entity show lists the director" "$(cat "$out/entity.out")"
    fi
    if "${CLEAN_ENV[@]}" "$BINARY" identity entity representative --data "$data" --log-level warning \
        --code 12345 --personal-number "$principal" >"$out/bad-entity.out" 2>&1; then
        fail "civitas identity entity representative refuses a malformed registry code"
    else
        pass "civitas identity entity representative refuses a malformed registry code"
    fi
    openssl ecparam -name prime256v1 -genkey -noout -out "$out/signer.key" 2>/dev/null
    openssl req -new -key "$out/signer.key" -subj "/CN=Demo Principal/serialNumber=PNOCV-$principal" \
        -out "$out/signer.csr" 2>/dev/null
    expect_ok "civitas pki issue a qualified signature certificate for the principal" -- "$BINARY" pki issue \
        --data "$data" --log-level warning --profile citizen-qualified-signature --csr "$out/signer.csr" \
        --out "$out/signer.pem"
    expect_ok "civitas pki export (for openssl)" -- "$BINARY" pki export --data "$data" --log-level warning \
        --out "$out/pki"
    start_server "representation" -- demo --data "$data" --host 127.0.0.1 --port @PORT@ || return
    local base="http://127.0.0.1:$SERVER_PORT" who
    for who in principal attorney; do
        local user="$principal_user"
        [[ "$who" == attorney ]] && user="$attorney_user"
        if ! "$ROOT/.venv/bin/python" - "$base" "$user" >"$out/$who.cookie" 2>"$out/$who.login" <<'PY'; then
import re, sys, requests
base, user = sys.argv[1:3]
browser = requests.Session()
page = browser.get(f"{base}/login")
token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
answer = browser.post(f"{base}/login", data={"_csrf": token, "username": user, "password": "civitas demo country 2026"},
                      allow_redirects=False)
assert answer.status_code == 303, answer.status_code
print(browser.cookies["civitas_session"])
PY
            fail "the $who logs in with the demo password" "$(tail -n 5 "$out/$who.login")"
            stop_server "representation"
            return
        fi
    done
    local principal_cookie attorney_cookie from until id
    principal_cookie="civitas_session=$(cat "$out/principal.cookie")"
    attorney_cookie="civitas_session=$(cat "$out/attorney.cookie")"
    from="$(date -u +%Y-%m-%d)"
    until="$(date -u -d '+90 days' +%Y-%m-%d)"
    if curl -sf -b "$principal_cookie" -H 'Content-Type: application/json' -H 'Accept: application/json' \
        --data "{\"attorney\":\"$attorney\",\"services\":[\"registry-portal\"],\"validFrom\":\"$from\",\"validUntil\":\"$until\"}" \
        "$base/api/powers-of-attorney" -o "$out/draft.json" &&
        id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$out/draft.json")"; then
        pass "curl drafts a power of attorney through the API ($id)"
    else
        fail "curl drafts a power of attorney through the API" "$(cat "$out/draft.json" 2>/dev/null)"
        stop_server "representation"
        return
    fi
    local anonymous
    anonymous="$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/json' "$base/powers-of-attorney/$id")"
    if [[ "$anonymous" == 404 ]]; then
        pass "an unsigned draft is not published"
    else
        fail "an unsigned draft is not published" "status $anonymous"
    fi
    curl -sf -b "$principal_cookie" "$base/powers-of-attorney/$id/document" -o "$out/document.json"
    "$BINARY" sign --key "$out/signer.key" --cert "$out/signer.pem" --chain "$out/pki/chain.pem" \
        --in "$out/document.json" --out "$out/signature.p7s" >"$out/sign.out" 2>&1 ||
        fail "civitas sign signs the downloaded document" "$(cat "$out/sign.out")"
    printf 'garbage' >"$out/garbage.p7s"
    local refused
    refused="$(curl -s -o "$out/garbage.out" -w '%{http_code}' -b "$principal_cookie" \
        -H 'Content-Type: application/pkcs7-signature' -H 'Accept: application/json' \
        --data-binary @"$out/garbage.p7s" "$base/powers-of-attorney/$id/signature")"
    if [[ "$refused" == 422 ]] && grep -q signature-rejected "$out/garbage.out"; then
        pass "a garbage signature is refused with 422 signature-rejected"
    else
        fail "a garbage signature is refused with 422 signature-rejected" "status $refused: $(cat "$out/garbage.out")"
    fi
    if curl -sf -b "$principal_cookie" -H 'Content-Type: application/pkcs7-signature' -H 'Accept: application/json' \
        --data-binary @"$out/signature.p7s" "$base/powers-of-attorney/$id/signature" -o "$out/signed.json" &&
        curl -sf -b "$attorney_cookie" -H 'Content-Type: application/json' -H 'Accept: application/json' \
            --data '{}' "$base/powers-of-attorney/$id/accept" -o "$out/accepted.json"; then
        pass "the principal uploads the qualified signature and the attorney accepts"
    else
        fail "the principal uploads the qualified signature and the attorney accepts" \
            "$(cat "$out/signed.json" "$out/accepted.json" 2>/dev/null)"
    fi
    if curl -sf -H 'Accept: application/json' "$base/powers-of-attorney/$id" -o "$out/verify.json" &&
        python3 - "$out/verify.json" "$principal" "$attorney" <<'PY' >"$out/verify.out" 2>&1; then
import json, sys
power = json.load(open(sys.argv[1]))
assert power["validNow"] is True and power["state"] == "accepted", power
assert power["principal"]["id"] == sys.argv[2] and power["attorney"]["personalNumber"] == sys.argv[3], power
assert power["services"] == ["registry-portal"], power
assert power["signature"]["indication"] == "TOTAL-PASSED" and power["signature"]["qualified"] is True, power
PY
        pass "anyone's curl sees the power valid now, for whom, which services, and TOTAL-PASSED"
    else
        fail "anyone's curl sees the power valid now" "$(cat "$out/verify.out" "$out/verify.json" 2>/dev/null)"
    fi
    if curl -sf "$base/powers-of-attorney/$id/document" -o "$out/public.json" &&
        curl -sf "$base/powers-of-attorney/$id/signature" -o "$out/public.p7s" &&
        openssl cms -verify -binary -inform DER -in "$out/public.p7s" -content "$out/public.json" \
            -CAfile "$out/pki/root-ca.pem" -purpose any -cades -out /dev/null >"$out/cms.out" 2>&1; then
        pass "openssl cms -verify accepts the downloaded signature against the national root"
    else
        fail "openssl cms -verify accepts the downloaded signature against the national root" "$(cat "$out/cms.out")"
    fi
    printf '{"tampered": true}' >"$out/tampered.json"
    if openssl cms -verify -binary -inform DER -in "$out/public.p7s" -content "$out/tampered.json" \
        -CAfile "$out/pki/root-ca.pem" -purpose any -out /dev/null >/dev/null 2>&1; then
        fail "openssl cms -verify refuses the signature over another document"
    else
        pass "openssl cms -verify refuses the signature over another document"
    fi
    if curl -sf "$base/powers-of-attorney/$id?lang=ka" | grep -q "ამჟამად მოქმედია"; then
        pass "the public page says it in Georgian"
    else
        fail "the public page says it in Georgian"
    fi
    stop_server "representation"
}
