#!/usr/bin/env bash
#
# System checks of the GovStack eSignature remote signing API and of `civitas sign`, sourced by
# scripts/lib/system-tests.sh (which provides BINARY, WORK, CLEAN_ENV, pass/fail, start_server, http, ...).
#
#     esignature_tests DATA [VAR=VALUE...]
#
# Expects pki_tests to have run on DATA (the PKI exists and is exported to $WORK/pki). Starts its own node.

# esign_cli NAME OUT [VAR=VALUE...] -- ARGS...: runs the CLI, stdout to OUT; PASS/FAIL on its exit status.
esign_cli() {
    local name="$1" out="$2"
    shift 2
    local rc=0
    split_at_dashes "$@"
    timeout 120 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$out" 2>"$out.err" || rc=$?
    if [[ $rc -eq 0 ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "exit status $rc" "$(tail -n 5 "$out.err")"
    return 1
}

# esign_call METHOD PATH TOKEN [JSON]: the API at the live node; prints the status, body in $WORK/body.
esign_call() {
    local method="$1" path="$2" token="$3" json="${4:-}"
    local args=(-X "$method")
    [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
    [[ -n "$json" ]] && args+=(-H "Content-Type: application/json" --data-binary "$json")
    http "/esignature/v1$path" "${args[@]}"
}

# esign_json EXPR: evaluates a Python expression over the JSON body `doc`; prints the result.
esign_json() {
    python3 -c "import json, sys
doc = json.load(open(sys.argv[1]))
print($1)" "$WORK/body" 2>/dev/null
}

# esign_expect NAME STATUS METHOD PATH TOKEN [JSON]
esign_expect() {
    local name="$1" status="$2"
    shift 2
    local code
    code="$(esign_call "$@")"
    if [[ "$code" == "$status" ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "status $code, expected $status" "body: $(head -c 300 "$WORK/body")"
    return 1
}

# esign_sign_body HASH_FILE [HASH_TYPE]: the JSON of a CAdES signature request over a binary hash.
esign_sign_body() {
    python3 -c 'import base64, json, sys
print(json.dumps({"format": "CAdES", "hash": base64.b64encode(open(sys.argv[1], "rb").read()).decode(),
    "hashType": sys.argv[2], "dataToBeDisplayed": "system test", "requestTimestamp": "2026-03-20T09:12:28Z"}))' \
        "$1" "${2:-SHA2-256}"
}

esignature_tests() {
    local data="$1"
    shift
    local pki="$WORK/pki" dir="$WORK/esign"
    rm -rf "$dir"
    mkdir -p "$dir"
    cat "$pki/root-ca.pem" "$pki/citizens-ca.pem" >"$dir/citizens-chain.pem"

    esign_cli "civitas pki client create (every scope)" "$dir/token" "$@" -- "$BINARY" pki client create \
        --data "$data" --log-level warning --name "System tests" --scope certificates --scope signatures \
        --scope audit || return
    esign_cli "civitas pki client create (audit only)" "$dir/audit-token" "$@" -- "$BINARY" pki client create \
        --data "$data" --log-level warning --name "Auditor" --scope audit || return
    esign_cli "civitas pki client create (another agency)" "$dir/other-token" "$@" -- "$BINARY" pki client create \
        --data "$data" --log-level warning --name "Other agency" --scope signatures || return
    local token audit_token other_token
    token="$(tr -d '\n' <"$dir/token")"
    audit_token="$(tr -d '\n' <"$dir/audit-token")"
    other_token="$(tr -d '\n' <"$dir/other-token")"
    if [[ "$token" == civ_* ]] && ! grep -q -F "$token" <(sqlite3 "$data/civitas.sqlite" .dump 2>/dev/null); then
        pass "the client token is printed once and not stored in the database"
    elif [[ "$ENGINE" != "sqlite" && "$token" == civ_* ]]; then
        pass "the client token is printed once"
    else
        fail "the client token is printed once and not stored in the database"
    fi
    esign_cli "civitas pki client list" "$dir/clients" "$@" -- "$BINARY" pki client list --data "$data" \
        --log-level warning
    if grep -q "System tests" "$dir/clients" && ! grep -q -F "$token" "$dir/clients"; then
        pass "civitas pki client list shows the clients, not their tokens"
    else
        fail "civitas pki client list shows the clients, not their tokens" "$(cat "$dir/clients")"
    fi

    start_server "esign" "$@" -- serve --host 127.0.0.1 --port @PORT@ --data "$data" || return

    # Authentication.
    esign_expect "eSignature: no token is 401" 401 GET /cert/list "" || true
    if [[ "$(header www-authenticate)" == Bearer* ]]; then
        pass "eSignature: the 401 carries WWW-Authenticate: Bearer"
    else
        fail "eSignature: the 401 carries WWW-Authenticate: Bearer" "got '$(header www-authenticate)'"
    fi
    esign_expect "eSignature: an unknown token is 401" 401 GET /cert/list "civ_$(random_hex)" || true
    esign_expect "eSignature: a client without the certificates scope is 403" 403 POST /cert/create \
        "$audit_token" '{}' || true
    local code
    code="$(http /esignature/v1/cert/list -H "X-GovStack-AuthenticationToken: $token")"
    if [[ "$code" == 200 ]]; then
        pass "eSignature: X-GovStack-AuthenticationToken authenticates too"
    else
        fail "eSignature: X-GovStack-AuthenticationToken authenticates too" "status $code"
    fi

    # A certificate from an openssl CSR: the key stays with the holder.
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/device.key" 2>/dev/null
    openssl req -new -key "$dir/device.key" -subj "/CN=Ana Device/serialNumber=PNOGE-01234567892" \
        -out "$dir/device.csr" 2>/dev/null
    local body
    body="$(python3 -c 'import json, sys; print(json.dumps({"CSR": open(sys.argv[1]).read(), "pseudonym": "ana.device"}))' \
        "$dir/device.csr")"
    local device_id=""
    if esign_expect "eSignature: cert/create from an openssl CSR" 200 POST /cert/create "$token" "$body"; then
        device_id="$(esign_json 'doc["certificateId"]')"
        esign_json 'doc["certificate"]' >"$dir/device.pem"
        if openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/chain.pem" "$dir/device.pem" >/dev/null 2>&1 &&
            cmp -s <(openssl x509 -in "$dir/device.pem" -noout -pubkey) \
                <(openssl ec -in "$dir/device.key" -pubout 2>/dev/null); then
            pass "eSignature: the CSR's certificate verifies and certifies the CSR's key"
        else
            fail "eSignature: the CSR's certificate verifies and certifies the CSR's key"
        fi
    fi
    esign_expect "eSignature: a CSR that is not one is 400" 400 POST /cert/create "$token" '{"CSR": "bm90IGEgY3Ny"}' ||
        true

    # A certificate whose key the service holds (a remote QSCD).
    local id=""
    if esign_expect "eSignature: cert/create without a CSR" 200 POST /cert/create "$token" '{}'; then
        id="$(esign_json 'doc["certificateId"]')"
        esign_json 'doc["certificate"]' >"$dir/remote.pem"
    fi
    [[ -n "$id" ]] || { stop_server "esign"; return; }

    printf 'Building permit application 2026-000777\n' >"$dir/document.txt"
    printf 'Building permit application 2026-000778\n' >"$dir/changed.txt"
    openssl dgst -sha256 -binary "$dir/document.txt" >"$dir/document.sha256"
    if esign_expect "eSignature: sign a SHA2-256 hash" 200 POST "/sign/certificateId/$id" "$token" \
        "$(esign_sign_body "$dir/document.sha256")"; then
        esign_json 'doc["signature"]' | base64 -d >"$dir/document.p7s"
        esign_json 'doc["signatureTimestamp"]' | base64 -d >"$dir/document.tst"
        local signature_id
        signature_id="$(esign_json 'doc["signatureId"]')"
        if openssl cms -verify -binary -inform DER -in "$dir/document.p7s" -content "$dir/document.txt" \
            -CAfile "$pki/root-ca.pem" -purpose any -cades -out /dev/null >"$dir/cms.out" 2>&1; then
            pass "eSignature: openssl cms -verify -cades accepts the signature over the file"
        else
            fail "eSignature: openssl cms -verify -cades accepts the signature over the file" "$(cat "$dir/cms.out")"
        fi
        if openssl cms -verify -binary -inform DER -in "$dir/document.p7s" -content "$dir/changed.txt" \
            -CAfile "$pki/root-ca.pem" -purpose any -cades -out /dev/null >/dev/null 2>&1; then
            fail "eSignature: openssl cms refuses the signature over a changed file"
        else
            pass "eSignature: openssl cms refuses the signature over a changed file"
        fi
        local out="$dir/pyhanko.out"
        if (cd "$dir" && "$ROOT/.venv/bin/pyhanko" sign validate --detached document.p7s \
            --trust "$pki/root-ca.pem" --trust-replace --no-revocation-check document.txt) >"$out" 2>&1 &&
            grep -q "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>" "$out"; then
            pass "eSignature: pyhanko validates the B-T signature made from a digest ($(tail -n 1 "$out"))"
        else
            fail "eSignature: pyhanko validates the B-T signature made from a digest" "$(cat "$out")"
        fi
        if openssl ts -reply -token_in -in "$dir/document.tst" -text >/dev/null 2>&1; then
            pass "eSignature: signatureTimestamp is an RFC 3161 token"
        else
            fail "eSignature: signatureTimestamp is an RFC 3161 token"
        fi
        esign_expect "eSignature: sign/response returns the stored signature" 200 GET \
            "/sign/response/$signature_id" "$token" || true
        esign_expect "eSignature: audit/log answers" 200 GET "/audit/log?start=2000-01-01T00:00:00Z" "$token" || true
        if [[ "$(esign_json 'len(doc)')" == 1 ]]; then
            pass "eSignature: audit/log lists the signature"
        else
            fail "eSignature: audit/log lists the signature" "$(head -c 300 "$WORK/body")"
        fi
    fi
    openssl dgst -sha384 -binary "$dir/document.txt" >"$dir/document.sha384"
    esign_expect "eSignature: a SHA2-384 hash called SHA2-256 is 422" 422 POST "/sign/certificateId/$id" "$token" \
        "$(esign_sign_body "$dir/document.sha384")" || true
    esign_expect "eSignature: a hash that is not base64 is 400" 400 POST "/sign/certificateId/$id" "$token" \
        '{"format": "CAdES", "hash": "@@", "hashType": "SHA2-256"}' || true
    esign_expect "eSignature: PAdES is 422" 422 POST "/sign/certificateId/$id" "$token" \
        '{"format": "PAdES", "hash": "AAAA", "hashType": "SHA2-256"}' || true
    esign_expect "eSignature: malformed JSON is 400" 400 POST "/sign/certificateId/$id" "$token" '{"format":' || true
    if [[ -n "$device_id" ]]; then
        esign_expect "eSignature: a certificate whose key is on a device cannot sign here (409)" 409 POST \
            "/sign/certificateId/$device_id" "$token" "$(esign_sign_body "$dir/document.sha256")" || true
    fi
    esign_expect "eSignature: another client's certificate is 404" 404 POST "/sign/certificateId/$id" \
        "$other_token" "$(esign_sign_body "$dir/document.sha256")" || true

    # Suspension: signing is refused, and OCSP sees it at once.
    esign_expect "eSignature: PATCH SUSPEND" 200 PATCH "/cert/$id" "$token" '{"status": {"code": "SUSPEND"}}' || true
    if [[ "$(esign_json 'doc["status"]["code"]')" == SUSPENDED ]]; then
        pass "eSignature: the certificate is SUSPENDED"
    else
        fail "eSignature: the certificate is SUSPENDED" "$(head -c 300 "$WORK/body")"
    fi
    esign_expect "eSignature: a suspended certificate cannot sign (409)" 409 POST "/sign/certificateId/$id" "$token" \
        "$(esign_sign_body "$dir/document.sha256")" || true
    if openssl ocsp -issuer "$pki/citizens-ca.pem" -cert "$dir/remote.pem" -no_nonce \
        -url "http://127.0.0.1:$SERVER_PORT/ocsp" -CAfile "$pki/root-ca.pem" -verify_other "$pki/chain.pem" \
        >"$dir/ocsp.out" 2>&1 && grep -q ": revoked" "$dir/ocsp.out" && grep -q -i "hold" "$dir/ocsp.out"; then
        pass "eSignature: OCSP answers certificateHold for the suspended certificate"
    else
        fail "eSignature: OCSP answers certificateHold for the suspended certificate" "$(cat "$dir/ocsp.out")"
    fi
    esign_expect "eSignature: PATCH ACTIVATE" 200 PATCH "/cert/$id" "$token" '{"status": {"code": "ACTIVATE"}}' ||
        true
    esign_expect "eSignature: an activated certificate signs again" 200 POST "/sign/certificateId/$id" "$token" \
        "$(esign_sign_body "$dir/document.sha256")" || true
    stop_server "esign"

    civitas_sign_tests "$data" "$@"
}

# civitas_sign_tests DATA [VAR=VALUE...]: `civitas sign` with openssl keys and certificates from
# `civitas pki issue`: a two-signer signature (one co-signing with --add-to, B-T) and an enveloping one,
# all accepted by openssl cms.
civitas_sign_tests() {
    local data="$1"
    shift
    local pki="$WORK/pki" dir="$WORK/esign"
    cat "$pki/citizens-ca.pem" >"$dir/chain.pem"
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/alice.key" 2>/dev/null
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/bob.key" 2>/dev/null
    openssl req -new -key "$dir/alice.key" -subj "/CN=Alice Signer" -out "$dir/alice.csr" 2>/dev/null
    openssl req -new -key "$dir/bob.key" -subj "/CN=Bob Signer" -out "$dir/bob.csr" 2>/dev/null
    local who
    for who in alice bob; do
        esign_cli "civitas pki issue for $who" "$dir/$who.issue" "$@" -- "$BINARY" pki issue --data "$data" \
            --log-level warning --profile citizen-qualified-signature --csr "$dir/$who.csr" --out "$dir/$who.pem" ||
            return
    done
    printf 'Joint declaration of the parcel owners\n' >"$dir/joint.txt"
    esign_cli "civitas sign (EC key, B-B, detached)" "$dir/sign1.out" "$@" -- "$BINARY" sign --key "$dir/alice.key" \
        --cert "$dir/alice.pem" --chain "$dir/chain.pem" --in "$dir/joint.txt" --out "$dir/alice.p7s" || return
    esign_cli "civitas sign --add-to (RSA key, B-T, local TSA)" "$dir/sign2.out" "$@" -- "$BINARY" sign \
        --data "$data" --log-level warning --key "$dir/bob.key" --cert "$dir/bob.pem" --chain "$dir/chain.pem" \
        --in "$dir/joint.txt" --add-to "$dir/alice.p7s" --out "$dir/joint.p7s" --level B-T --tsa local || return
    if openssl cms -verify -binary -inform DER -in "$dir/joint.p7s" -content "$dir/joint.txt" \
        -CAfile "$pki/root-ca.pem" -purpose any -cades -signer "$dir/joint-signers.pem" -out /dev/null \
        >"$dir/joint.out" 2>&1 && [[ "$(grep -c 'BEGIN CERTIFICATE' "$dir/joint-signers.pem")" == 2 ]]; then
        pass "openssl cms -verify -cades accepts both signers of the co-signed file"
    else
        fail "openssl cms -verify -cades accepts both signers of the co-signed file" "$(cat "$dir/joint.out")"
    fi
    if openssl cms -verify -binary -inform DER -in "$dir/joint.p7s" -content "$dir/changed.txt" \
        -CAfile "$pki/root-ca.pem" -purpose any -cades -out /dev/null >/dev/null 2>&1; then
        fail "openssl cms refuses the co-signed signature over another file"
    else
        pass "openssl cms refuses the co-signed signature over another file"
    fi
    local rc=0
    split_at_dashes "$@" -- "$BINARY" sign --key "$dir/bob.key" --cert "$dir/bob.pem" --in "$dir/changed.txt" \
        --add-to "$dir/alice.p7s" --out "$dir/wrong.p7s"
    timeout 60 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$dir/wrong.out" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]] && grep -q "another document" "$dir/wrong.out" && [[ ! -e "$dir/wrong.p7s" ]]; then
        pass "civitas sign --add-to refuses to co-sign a different file"
    else
        fail "civitas sign --add-to refuses to co-sign a different file" "exit $rc" "$(cat "$dir/wrong.out")"
    fi
    esign_cli "civitas sign --enveloping" "$dir/sign3.out" "$@" -- "$BINARY" sign --key "$dir/alice.key" \
        --cert "$dir/alice.pem" --chain "$dir/chain.pem" --in "$dir/joint.txt" --out "$dir/enveloping.p7s" \
        --enveloping || return
    if openssl cms -verify -binary -inform DER -in "$dir/enveloping.p7s" -CAfile "$pki/root-ca.pem" -purpose any \
        -cades -out "$dir/enveloped.txt" >"$dir/env.out" 2>&1 && cmp -s "$dir/enveloped.txt" "$dir/joint.txt"; then
        pass "openssl cms -verify -cades accepts the enveloping signature and gives back the file"
    else
        fail "openssl cms -verify -cades accepts the enveloping signature and gives back the file" "$(cat "$dir/env.out")"
    fi
    rc=0
    split_at_dashes "$@" -- "$BINARY" sign --key "$dir/alice.key" --cert "$dir/alice.pem" --in "$dir/joint.txt" \
        --out "$dir/tsa.p7s" --level B-T --tsa "http://127.0.0.1:9/tsa"
    timeout 60 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$dir/tsa.out" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]] && grep -q "127.0.0.1:9" "$dir/tsa.out" && [[ ! -e "$dir/tsa.p7s" ]]; then
        pass "civitas sign --tsa with a TSA nobody answers at fails, naming it, and writes nothing"
    else
        fail "civitas sign --tsa with a TSA nobody answers at fails, naming it, and writes nothing" "exit $rc" \
            "$(cat "$dir/tsa.out")"
    fi
}
