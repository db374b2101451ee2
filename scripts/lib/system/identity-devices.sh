#!/usr/bin/env bash
# shellcheck shell=bash
#
# System checks of eID card login: `civitas card create` (a card file, and a key in a SoftHSM2 token),
# `civitas card list/unlock/sign`, and the browserless end of the login (`civitas card login`) against a live
# node, with a curl cookie jar as the browser. Sourced by scripts/lib/system-tests.sh, whose helpers (pass,
# fail, expect_ok, split_at_dashes, start_server, stop_server, http, CLEAN_ENV, WORK, BINARY) it uses.
#
#     identity_device_tests DATA [VAR=VALUE...]
#
# Expects pki_tests to have run on DATA (the PKI exists and is exported to $WORK/pki). Adds a small demo
# population to DATA (`civitas demo --no-serve`), because a card is issued only to a registered, living
# person. Starts and stops its own node. The node must serve the Identity device-login routes
# (DeviceLoginRoutes) with a session layer's AuthenticationCompletion.

# shellcheck source=scripts/lib/softhsm.sh
source "$ROOT/scripts/lib/softhsm.sh"

# idd_run OUT [VAR=VALUE...] -- ARGS...: runs a command with the clean environment; its exit status, output
# (stdout and stderr) in OUT.
idd_run() {
    local out="$1"
    shift
    local rc=0
    split_at_dashes "$@"
    timeout 120 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$out" 2>&1 || rc=$?
    return $rc
}

# idd_expect_refusal NAME TEXT [VAR=VALUE...] -- ARGS...: the command fails and says TEXT.
idd_expect_refusal() {
    local name="$1" text="$2"
    shift 2
    local out="$WORK/idd-refusal.out" rc=0
    idd_run "$out" "$@" || rc=$?
    if [[ $rc -ne 0 ]] && grep -q -i -F -- "$text" "$out"; then
        pass "$name"
    else
        fail "$name" "exit $rc, wanted a failure saying \"$text\"" "$(tail -n 5 "$out")"
    fi
}

# idd_sql QUERY [VAR=VALUE...]: one value from the node's database (SQLite in DATA, or CIVITAS_DATABASE_URL).
idd_sql() {
    local query="$1" data="$2"
    shift 2
    local var url=""
    for var in "$@"; do
        [[ "$var" == CIVITAS_DATABASE_URL=* ]] && url="${var#CIVITAS_DATABASE_URL=}"
    done
    if [[ -n "$url" ]]; then
        "$(psql_bin)" "$url" -At -c "$query"
    else
        sqlite3 "$data/civitas.sqlite" "$query"
    fi
}

# idd_start_login METHOD: the browser opens /login/METHOD with a fresh cookie jar; sets IDD_ID, IDD_CODE and
# IDD_JAR.
idd_start_login() {
    IDD_JAR="$WORK/idd-jar-$(random_hex)"
    IDD_ID=""
    IDD_CODE=""
    local code
    code="$(http "/login/$1" -c "$IDD_JAR" -H 'Accept: text/html' -H 'Accept-Language: en')"
    [[ "$code" == 200 ]] || return 1
    IDD_ID="$(grep -o -E "url=/login/$1/[0-9a-f]{32}" "$WORK/body" | head -n 1 | sed 's|.*/||')"
    IDD_CODE="$(grep -o -E '[0-9]{4}-[0-9]{4}' "$WORK/body" | head -n 1)"
    [[ -n "$IDD_ID" && -n "$IDD_CODE" ]]
}

# idd_browser_finishes NAME: the browser's next refresh leaves the waiting page (the session layer's answer).
idd_browser_finishes() {
    local code
    code="$(http "/login/card/$IDD_ID" -b "$IDD_JAR" -H 'Accept: text/html')"
    if [[ "$code" =~ ^(200|302|303)$ ]] && ! grep -q 'http-equiv="refresh"' "$WORK/body"; then
        pass "$1"
    else
        fail "$1" "status $code" "$(head -c 300 "$WORK/body" | tr '\n' ' ')"
    fi
}

# idd_mobile_tests URL DIR: a card login leaves a high-level session; with it the device registers its key
# (`civitas mobile register`), approves a web login (`civitas mobile approve`), is listed and revoked, and a
# revoked device's approval is refused.
idd_mobile_tests() {
    local url="$1" dir="$2" jar="$WORK/idd-session-jar" cookie
    idd_start_login card || { fail "a card login for the mobile ID checks"; return; }
    idd_run "$dir/m-card.out" -- "$BINARY" card login --url "$url" --file "$dir/card.json" --pin 4821 \
        --code "$IDD_CODE" || { fail "a card login for the mobile ID checks" "$(tail -n 3 "$dir/m-card.out")"; return; }
    http "/login/card/$IDD_ID" -b "$IDD_JAR" -c "$jar" -H 'Accept: text/html' >/dev/null
    cookie="$(awk '$6 == "civitas_session" {print "civitas_session=" $7}' "$jar")"
    if [[ -z "$cookie" ]]; then
        fail "the card login leaves a session cookie for the mobile ID checks"
        return
    fi
    idd_expect_refusal "civitas mobile register refuses without a session at the high level" "refused (401" -- "$BINARY" \
        mobile register --url "$url" --file "$dir/nobody-phone.json" --name "No session"
    if idd_run "$dir/m-register.out" -- "$BINARY" mobile register --url "$url" --cookie "$cookie" \
        --file "$dir/phone.json" --name "Test phone" && grep -q "registered Test phone as device" "$dir/m-register.out"; then
        pass "civitas mobile register creates the device key and registers it from the card session"
    else
        fail "civitas mobile register creates the device key and registers it from the card session" \
            "$(tail -n 3 "$dir/m-register.out")"
        return
    fi
    local device
    device="$(sed -n 's/.* as device \([^ ]*\) at .*/\1/p' "$dir/m-register.out")"
    if idd_start_login mobile && idd_run "$dir/m-approve.out" -- "$BINARY" mobile approve --url "$url" \
        --file "$dir/phone.json" --code "$IDD_CODE"; then
        pass "civitas mobile approve answers the web login's code"
        local code
        code="$(http "/login/mobile/$IDD_ID" -b "$IDD_JAR" -c "$IDD_JAR" -H 'Accept: text/html')"
        if [[ "$code" == 303 ]] && grep -q civitas_session "$IDD_JAR"; then
            pass "the browser that showed the code is signed in by the phone's approval"
        else
            fail "the browser that showed the code is signed in by the phone's approval" "status $code"
        fi
    else
        fail "civitas mobile approve answers the web login's code" "$(tail -n 3 "$dir/m-approve.out")"
    fi
    if idd_run "$dir/m-list.out" -- "$BINARY" mobile list --url "$url" --cookie "$cookie" &&
        grep -q "^$device[[:space:]]usable[[:space:]]Test phone" "$dir/m-list.out"; then
        pass "civitas mobile list shows the device as usable"
    else
        fail "civitas mobile list shows the device as usable" "$(cat "$dir/m-list.out")"
    fi
    expect_ok "civitas mobile revoke" -- "$BINARY" mobile revoke --url "$url" --cookie "$cookie" --device "$device"
    if idd_start_login mobile; then
        idd_expect_refusal "a revoked device's approval is refused" "refused (4" -- "$BINARY" mobile approve --url "$url" \
            --file "$dir/phone.json" --code "$IDD_CODE"
    fi
}

identity_device_tests() {
    local data="$1"
    shift
    local pki="$WORK/pki" dir="$WORK/identity-devices"
    rm -rf "$dir"
    mkdir -p "$dir/softhsm/tokens"

    expect_ok "civitas demo --no-serve adds a small population for the cards" "$@" -- "$BINARY" demo \
        --data "$data" --persons 25 --no-serve
    local person late
    person="$(idd_sql "SELECT personal_number FROM identity_persons WHERE died_on IS NULL ORDER BY personal_number LIMIT 1" "$data" "$@")"
    late="$(idd_sql "SELECT personal_number FROM identity_persons WHERE died_on IS NOT NULL LIMIT 1" "$data" "$@")"
    if [[ ! "$person" =~ ^[0-9]{11}$ ]]; then
        fail "the population register has a living person" "got '$person'"
        return
    fi

    # A card file.
    local out="$dir/create.out"
    if idd_run "$out" "$@" -- "$BINARY" card create --data "$data" --log-level warning --file "$dir/card.json" \
        --pin 4821 --personal-number "$person"; then
        pass "civitas card create makes a card file with a citizen-authentication certificate"
    else
        fail "civitas card create makes a card file with a citizen-authentication certificate" "$(tail -n 5 "$out")"
        return
    fi
    local serial
    serial="$(grep -o -E 'citizens-ca/[0-9a-f]+' "$out" | cut -d/ -f2)"
    idd_expect_refusal "civitas card create refuses to overwrite a card" "exists already" "$@" -- "$BINARY" card \
        create --data "$data" --log-level warning --file "$dir/card.json" --pin 4821 --personal-number "$person"
    idd_expect_refusal "civitas card create refuses a person who is not a living, registered one" "living" "$@" -- \
        "$BINARY" card create --data "$data" --log-level warning --file "$dir/late.json" --pin 4821 \
        --personal-number "${late:-00000000000}"
    idd_expect_refusal "civitas card create refuses a PIN that is not 4 to 12 digits" "4 to 12 digits" "$@" -- \
        "$BINARY" card create --data "$data" --log-level warning --file "$dir/bad-pin.json" --pin 12 \
        --personal-number "$person"

    idd_run "$dir/list.out" -- "$BINARY" card list --file "$dir/card.json" || true
    python3 -c 'import base64, json, sys
card = json.load(open(sys.argv[1]))
sys.stdout.write("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(base64.b64decode(card["certificate"])).decode()
    + "-----END CERTIFICATE-----\n")' "$dir/card.json" >"$dir/card.pem" 2>/dev/null || true
    if grep -q "$person" "$dir/list.out" && grep -q "3 attempts left" "$dir/list.out" &&
        openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/chain.pem" "$dir/card.pem" >/dev/null 2>&1 &&
        openssl x509 -in "$dir/card.pem" -noout -subject -nameopt RFC2253 | grep -q "serialNumber=PNOCV-$person" &&
        openssl x509 -in "$dir/card.pem" -noout -ext extendedKeyUsage | grep -q "TLS Web Client Authentication"; then
        pass "the card's certificate verifies with openssl and carries PNOCV-<number> and clientAuth"
    else
        fail "the card's certificate verifies with openssl and carries PNOCV-<number> and clientAuth" \
            "$(cat "$dir/list.out")"
    fi

    # card sign: openssl verifies the raw signature with the certificate's key.
    printf '\x00\x01\x02\xfe\xff' >"$dir/raw.bin"
    if idd_run "$dir/sign.out" -- "$BINARY" card sign --file "$dir/card.json" --pin 4821 --challenge 000102feff &&
        python3 -c "import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))" "$(tail -n 1 "$dir/sign.out")" \
            >"$dir/raw.sig" &&
        openssl x509 -in "$dir/card.pem" -noout -pubkey >"$dir/card-pub.pem" &&
        openssl dgst -sha256 -verify "$dir/card-pub.pem" -signature "$dir/raw.sig" "$dir/raw.bin" >/dev/null 2>&1; then
        pass "civitas card sign makes an ECDSA signature that openssl verifies"
    else
        fail "civitas card sign makes an ECDSA signature that openssl verifies" "$(tail -n 3 "$dir/sign.out")"
    fi

    # Three wrong PINs lock a card file for good.
    idd_run "$dir/create2.out" "$@" -- "$BINARY" card create --data "$data" --log-level warning \
        --file "$dir/locked.json" --pin 1357 --personal-number "$person" || true
    idd_expect_refusal "a wrong PIN is refused, with the attempts left" "2 attempts left" -- "$BINARY" card unlock \
        --file "$dir/locked.json" --pin 0000
    idd_expect_refusal "a second wrong PIN leaves one attempt" "1 attempt left" -- "$BINARY" card unlock \
        --file "$dir/locked.json" --pin 0000
    idd_expect_refusal "the third wrong PIN locks the card" "locked" -- "$BINARY" card unlock \
        --file "$dir/locked.json" --pin 0000
    idd_expect_refusal "a locked card refuses even the right PIN" "locked" -- "$BINARY" card unlock \
        --file "$dir/locked.json" --pin 1357
    expect_ok "civitas card unlock accepts the right PIN of an unlocked card" -- "$BINARY" card unlock \
        --file "$dir/card.json" --pin 4821

    # A card in a SoftHSM2 token.
    local token_vars=() token_args=()
    if softhsm_available; then
        printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$dir/softhsm/tokens" \
            >"$dir/softhsm/softhsm2.conf"
        if SOFTHSM2_CONF="$dir/softhsm/softhsm2.conf" softhsm2-util --init-token --free --label eid-card \
            --pin 2468 --so-pin 97531 >"$dir/softhsm/init.out" 2>&1; then
            token_vars=(SOFTHSM2_CONF="$dir/softhsm/softhsm2.conf")
            token_args=(--pkcs11-module /usr/lib/softhsm/libsofthsm2.so --token eid-card --pin 2468
                --certificate "$dir/token.pem")
            expect_ok "civitas card create makes the key in a SoftHSM2 token" "$@" "${token_vars[@]}" -- \
                "$BINARY" card create --data "$data" --log-level warning "${token_args[@]}" \
                --personal-number "$person"
            if openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/chain.pem" "$dir/token.pem" \
                >/dev/null 2>&1; then
                pass "the token card's certificate verifies with openssl"
            else
                fail "the token card's certificate verifies with openssl"
            fi
        else
            fail "create a SoftHSM2 token for the card" "$(cat "$dir/softhsm/init.out")"
        fi
    else
        fail "SoftHSM2 is installed for the token card (scripts/test installs softhsm2)"
    fi

    local rp_secret=""
    if ! rp_secret="$("${CLEAN_ENV[@]}" "$@" "$BINARY" identity client register --data "$data" --log-level warning \
        --id card-portal --name "Card Portal" --redirect-uri "http://127.0.0.1:9/card-callback" --scope profile \
        2>"$dir/client.err")"; then
        fail "civitas identity client register (for the card login through OpenID Connect)" "$(cat "$dir/client.err")"
    fi

    start_server "identity" "$@" -- serve --host 127.0.0.1 --port @PORT@ --data "$data" || return
    local url="http://127.0.0.1:$SERVER_PORT"

    if ! idd_start_login card; then
        fail "GET /login/card shows a login code" "$(head -c 300 "$WORK/body" | tr '\n' ' ')"
        stop_server "identity"
        return
    fi
    pass "GET /login/card shows a login code and sets the browser's cookie"
    if grep -q 'http-equiv="refresh"' "$WORK/body" && ! grep -q '<script' "$WORK/body" &&
        grep -q 'civitas_device_login' "$IDD_JAR"; then
        pass "the login page refreshes itself without a script"
    else
        fail "the login page refreshes itself without a script"
    fi
    http "/login/card/$IDD_ID" -b "$IDD_JAR" -H 'Accept: text/html' >/dev/null
    if grep -q "$IDD_CODE" "$WORK/body" && grep -q 'http-equiv="refresh"' "$WORK/body"; then
        pass "before the card answers, the status page keeps waiting"
    else
        fail "before the card answers, the status page keeps waiting"
    fi
    idd_expect_refusal "civitas card login refuses a login for another origin (a relay)" "relaying" -- "$BINARY" \
        card login --url "http://localhost:$SERVER_PORT" --file "$dir/card.json" --pin 4821 --code "$IDD_CODE"
    out="$dir/login.out"
    if idd_run "$out" -- "$BINARY" card login --url "$url" --file "$dir/card.json" --pin 4821 --code "$IDD_CODE" &&
        grep -q "Logging in to $url" "$out"; then
        pass "civitas card login shows the origin, signs and answers"
    else
        fail "civitas card login shows the origin, signs and answers" "$(tail -n 5 "$out")"
    fi
    local code
    code="$(http "/login/card/$IDD_ID" -H 'Accept: text/html')"
    if [[ "$code" == 403 ]]; then
        pass "another browser (no cookie) cannot finish the login"
    else
        fail "another browser (no cookie) cannot finish the login" "status $code"
    fi
    idd_browser_finishes "the browser that started the login finishes it"
    idd_expect_refusal "the same code cannot be answered again" "answered already" -- "$BINARY" card login \
        --url "$url" --file "$dir/card.json" --pin 4821 --code "$IDD_CODE"
    code="$(http "/login/card/$IDD_ID" -b "$IDD_JAR" -H 'Accept: text/html')"
    if [[ "$code" == 409 ]]; then
        pass "a finished login cannot be finished again"
    else
        fail "a finished login cannot be finished again" "status $code"
    fi

    if [[ ${#token_args[@]} -gt 0 ]]; then
        if idd_start_login card && idd_run "$dir/token-login.out" "${token_vars[@]}" -- "$BINARY" card login \
            --url "$url" "${token_args[@]}" --code "$IDD_CODE"; then
            pass "civitas card login with the SoftHSM2 token answers"
            idd_browser_finishes "the token card's login finishes in the browser"
        else
            fail "civitas card login with the SoftHSM2 token answers" "$(tail -n 5 "$dir/token-login.out")"
        fi
    fi

    # A relying party nobody here wrote asks for the high level; the card answers.
    if [[ -n "$rp_secret" ]]; then
        if "$ROOT/.venv/bin/python" "$ROOT/scripts/interop/oidc_rp_card.py" "$url" card-portal "$rp_secret" \
            "http://127.0.0.1:9/card-callback" "$BINARY" "$dir/card.json" 4821 >"$dir/rp-card.out" 2>&1; then
            pass "Authlib and joserfc: the code flow at the high level with the software eID card ($(grep -c '^PASS' "$dir/rp-card.out") checks)"
        else
            fail "Authlib and joserfc: the code flow at the high level with the software eID card" \
                "$(grep -v '^PASS' "$dir/rp-card.out" | head -n 20)"
        fi
    fi

    idd_mobile_tests "$url" "$dir"

    # Revoked on another process, refused at once (OCSP is asked with a nonce on every answer).
    expect_ok "civitas pki revoke the card's certificate" "$@" -- "$BINARY" pki revoke --data "$data" \
        --log-level warning --issuer citizens-ca --serial "$serial" --reason keyCompromise
    if idd_start_login card; then
        idd_expect_refusal "a revoked card's login is refused" "revoked" -- "$BINARY" card login --url "$url" \
            --file "$dir/card.json" --pin 4821 --code "$IDD_CODE"
        http "/login/card/$IDD_ID" -b "$IDD_JAR" -H 'Accept: text/html' >/dev/null
        if grep -q 'http-equiv="refresh"' "$WORK/body"; then
            pass "after a refused answer the login is still waiting"
        else
            fail "after a refused answer the login is still waiting"
        fi
    fi
    code="$(http "/identity/device-logins/0000-0000" -H 'Accept: application/json')"
    if [[ "$code" == 404 && "$(header content-type)" == application/problem+json* ]]; then
        pass "an unknown login code is a 404 problem"
    else
        fail "an unknown login code is a 404 problem" "status $code"
    fi
    stop_server "identity"
}
