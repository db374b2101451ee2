#!/usr/bin/env bash
# shellcheck shell=bash
#
# The exchange's central registry and its signed global configuration, checked with tools nobody here
# wrote: members and a service registered with the CLI and over the admin API (curl), the configuration
# downloaded with curl and its detached CAdES signature verified by `openssl cms -verify` against the
# exported national root; one byte changed and openssl refuses it. Sourced by scripts/lib/system-tests.sh
# (BINARY, WORK, CLEAN_ENV, pass/fail, expect_ok, start_server, stop_server, http, header).
#
#     exchange_registry_tests DATA [VAR=VALUE...]
#
# Expects pki_tests to have run on DATA (the PKI exists and is exported to $WORK/pki).

# xreg_cli NAME [VAR=VALUE...] -- ARGS...: the CLI must succeed; its output is in $WORK/xreg/out.
xreg_cli() {
    local name="$1"
    shift
    local rc=0
    split_at_dashes "$@"
    timeout 120 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$WORK/xreg/out" 2>"$WORK/xreg/err" || rc=$?
    if [[ $rc -eq 0 ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "exit status $rc" "$(tail -n 5 "$WORK/xreg/err")"
    return 1
}

# xreg_cli_refused NAME [VAR=VALUE...] -- ARGS...: the CLI must fail with one clear line, no crash.
xreg_cli_refused() {
    local name="$1"
    shift
    local rc=0
    split_at_dashes "$@"
    timeout 120 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$WORK/xreg/out" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]] && ! grep -q -E '^Fatal error|Stack dump' "$WORK/xreg/out"; then
        pass "$name"
        return 0
    fi
    fail "$name" "exit status $rc" "$(tail -n 5 "$WORK/xreg/out")"
    return 1
}

exchange_registry_tests() {
    local data="$1"
    shift
    local dir="$WORK/xreg" pki="$WORK/pki"
    rm -rf "$dir"
    mkdir -p "$dir"
    local common=(--data "$data" --log-level warning)
    xreg_cli "civitas exchange member add" "$@" -- "$BINARY" exchange member add "${common[@]}" \
        --id CVT/GOV/700000015 --name "Civil Registry" || return
    xreg_cli "civitas exchange subsystem add" "$@" -- "$BINARY" exchange subsystem add "${common[@]}" \
        --id CVT/GOV/700000015/civil-registry || return
    printf '{"openapi":"3.1.0","info":{"title":"Persons","version":"1"},"paths":{"/persons/{id}":{}}}' \
        >"$dir/persons.json"
    xreg_cli "civitas exchange service add (with its OpenAPI description)" "$@" -- "$BINARY" exchange service add \
        "${common[@]}" --id CVT/GOV/700000015/civil-registry/persons --version v1 --title "Persons" \
        --openapi "$dir/persons.json" || return
    xreg_cli_refused "civitas exchange member add refuses a ';' in a member code" "$@" -- "$BINARY" exchange \
        member add "${common[@]}" --id "CVT/GOV/7000;0015" --name "Bad"
    xreg_cli_refused "civitas exchange member add refuses another instance" "$@" -- "$BINARY" exchange \
        member add "${common[@]}" --id "EE/GOV/700000015" --name "Elsewhere"
    xreg_cli_refused "civitas exchange member add refuses a duplicate" "$@" -- "$BINARY" exchange \
        member add "${common[@]}" --id "CVT/GOV/700000015" --name "Again"
    xreg_cli "civitas pki client create --scope exchange.registry" "$@" -- "$BINARY" pki client create \
        "${common[@]}" --name "Registry officers" --scope exchange.registry || return
    local token
    token="$(tr -d '\n' <"$dir/out")"
    xreg_cli "civitas pki client create (without the registry scope)" "$@" -- "$BINARY" pki client create \
        "${common[@]}" --name "Auditor" --scope audit || return
    local audit_token
    audit_token="$(tr -d '\n' <"$dir/out")"

    start_server "exchange-registry" "$@" -- serve --host 127.0.0.1 --port @PORT@ --data "$data" || return

    # The admin API: authenticated, scoped, problem details for bad input.
    local code
    code="$(http /exchange/v1/members)"
    if [[ "$code" == 401 && "$(header www-authenticate)" == Bearer* ]]; then
        pass "registry API: no token is 401 with a Bearer challenge"
    else
        fail "registry API: no token is 401 with a Bearer challenge" "status $code"
    fi
    code="$(http /exchange/v1/members -H "Authorization: Bearer $audit_token")"
    [[ "$code" == 403 ]] && pass "registry API: a client without exchange.registry is 403" ||
        fail "registry API: a client without exchange.registry is 403" "status $code"
    code="$(http /exchange/v1/members -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        --data-binary '{"id":"CVT/GOV/700000023","name":"Revenue Service"}')"
    [[ "$code" == 201 ]] && pass "registry API: POST /exchange/v1/members registers a member" ||
        fail "registry API: POST /exchange/v1/members registers a member" "status $code" "$(head -c 300 "$WORK/body")"
    code="$(http /exchange/v1/subsystems -X POST -H "Authorization: Bearer $token" \
        -H "Content-Type: application/json" --data-binary '{"id":"CVT/GOV/700000023/tax"}')"
    [[ "$code" == 201 ]] && pass "registry API: POST /exchange/v1/subsystems registers a subsystem" ||
        fail "registry API: POST /exchange/v1/subsystems registers a subsystem" "status $code"
    code="$(http /exchange/v1/access-rights -X POST -H "Authorization: Bearer $token" \
        -H "Content-Type: application/json" --data-binary \
        '{"client":"CVT/GOV/700000023/tax","service":"CVT/GOV/700000015/civil-registry/persons","method":"GET","path":"/persons/*"}')"
    [[ "$code" == 201 ]] && pass "registry API: POST /exchange/v1/access-rights grants access" ||
        fail "registry API: POST /exchange/v1/access-rights grants access" "status $code" "$(head -c 300 "$WORK/body")"
    code="$(http /exchange/v1/members -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        --data-binary '{"id":"CVT/GOV/70%0015","name":"Bad"}')"
    if [[ "$code" == 422 && "$(header content-type)" == application/problem+json* ]]; then
        pass "registry API: a '%' in an identifier is 422 problem details"
    else
        fail "registry API: a '%' in an identifier is 422 problem details" "status $code"
    fi
    code="$(http /exchange/v1/members -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        --data-binary '{"id":"CVT/GOV/700000015","name":"Again"}')"
    [[ "$code" == 409 ]] && pass "registry API: a duplicate member is 409" ||
        fail "registry API: a duplicate member is 409" "status $code"
    code="$(http /exchange/v1/members -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        --data-binary '{"id":')"
    [[ "$code" == 400 ]] && pass "registry API: truncated JSON is 400" ||
        fail "registry API: truncated JSON is 400" "status $code"

    # The global configuration, downloaded with curl and verified with openssl.
    code="$(http /exchange/global-configuration)"
    cp "$WORK/body" "$dir/global-configuration.json"
    local version
    version="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' \
        "$dir/global-configuration.json" 2>/dev/null || true)"
    if [[ "$code" == 200 && -n "$version" ]] && grep -q -F '"CVT/GOV/700000015/civil-registry/persons"' \
        "$dir/global-configuration.json" && grep -q -F '"CVT/GOV/700000023/tax"' "$dir/global-configuration.json"
    then
        pass "GET /exchange/global-configuration has the registered member, service and access right (v$version)"
    else
        fail "GET /exchange/global-configuration has the registered member, service and access right" "status $code"
        stop_server "exchange-registry"
        return
    fi
    code="$(http "/exchange/global-configuration/$version/signature")"
    cp "$WORK/body" "$dir/global-configuration.p7s"
    [[ "$code" == 200 ]] && pass "GET /exchange/global-configuration/$version/signature" ||
        fail "GET /exchange/global-configuration/$version/signature" "status $code"
    if openssl cms -verify -binary -inform DER -in "$dir/global-configuration.p7s" \
        -content "$dir/global-configuration.json" -CAfile "$pki/root-ca.pem" -purpose any -cades \
        -out /dev/null >"$dir/verify.out" 2>&1; then
        pass "openssl cms -verify -cades accepts the global configuration's signature against the national root"
    else
        fail "openssl cms -verify -cades accepts the global configuration's signature" "$(tail -n 3 "$dir/verify.out")"
    fi
    if openssl cms -cmsout -print -inform DER -in "$dir/global-configuration.p7s" 2>/dev/null |
        grep -q "Civitas Central Registry e-seal"; then
        pass "the signer is the central registry's e-seal"
    else
        fail "the signer is the central registry's e-seal"
    fi
    python3 - "$dir/global-configuration.json" "$dir/tampered.json" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
index = data.index(b"Civil Registry")
data[index] ^= 0x01
open(sys.argv[2], "wb").write(bytes(data))
PY
    if ! openssl cms -verify -binary -inform DER -in "$dir/global-configuration.p7s" -content "$dir/tampered.json" \
        -CAfile "$pki/root-ca.pem" -purpose any -out /dev/null >"$dir/tampered.out" 2>&1; then
        pass "openssl refuses the global configuration with one byte changed"
    else
        fail "openssl refuses the global configuration with one byte changed"
    fi
    if ! openssl cms -verify -binary -inform DER -in "$dir/global-configuration.p7s" \
        -content "$dir/global-configuration.json" -CAfile "$pki/citizens-ca.pem" -partial_chain -purpose any \
        -out /dev/null >"$dir/other-anchor.out" 2>&1; then
        pass "openssl refuses the signature against another trust anchor"
    else
        fail "openssl refuses the signature against another trust anchor"
    fi
    stop_server "exchange-registry"
}
