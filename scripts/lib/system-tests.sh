#!/usr/bin/env bash
#
# Black-box tests of the real `civitas` executable: configuration errors, migrations, the HTTP
# surface every node has, schemathesis against the node's own OpenAPI document, graceful shutdown
# and the audit chain.
#
#     scripts/lib/system-tests.sh BINARY [DATABASE_URL]
#
# The node-level list runs on SQLite in a fresh data directory, then, when DATABASE_URL (a PostgreSQL
# superuser URL) is given, again on a fresh database created on that server and dropped afterwards.
# Every check prints one PASS or FAIL line; the script exits non-zero if any check failed.
#
# Tunables (environment): SYSTEM_TESTS_READY_TIMEOUT (seconds a node may take to become ready,
# default 90), SYSTEM_TESTS_MAX_EXAMPLES (schemathesis examples per operation, default 50),
# SCHEMATHESIS (path of the schemathesis executable, default .venv/bin/schemathesis).
set -euo pipefail

usage() {
    echo "usage: $0 BINARY [DATABASE_URL]" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 ]] || usage

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/lib/postgres.sh
source "$ROOT/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/system/validation.sh
source "$ROOT/scripts/lib/system/validation.sh"
# shellcheck source=scripts/lib/system/exchange-nodes.sh
source "$ROOT/scripts/lib/system/exchange-nodes.sh"
# shellcheck source=scripts/lib/exchange-setup.sh
source "$ROOT/scripts/lib/exchange-setup.sh"
# shellcheck source=scripts/lib/system/esignature.sh
source "$ROOT/scripts/lib/system/esignature.sh"
# shellcheck source=scripts/lib/system/timestamp.sh
source "$ROOT/scripts/lib/system/timestamp.sh"
# shellcheck source=scripts/lib/system/oidc.sh
source "$ROOT/scripts/lib/system/oidc.sh"
# shellcheck source=scripts/lib/system/identity-devices.sh
source "$ROOT/scripts/lib/system/identity-devices.sh"
# shellcheck source=scripts/lib/system/identity-passwords.sh
source "$ROOT/scripts/lib/system/identity-passwords.sh"
# shellcheck source=scripts/lib/system/identity-timing.sh
source "$ROOT/scripts/lib/system/identity-timing.sh"
# shellcheck source=scripts/lib/system/consent.sh
source "$ROOT/scripts/lib/system/consent.sh"
# shellcheck source=scripts/lib/system/officials.sh
source "$ROOT/scripts/lib/system/officials.sh"
# shellcheck source=scripts/lib/system/representation.sh
source "$ROOT/scripts/lib/system/representation.sh"
# shellcheck source=scripts/lib/system/exchange-registry.sh
source "$ROOT/scripts/lib/system/exchange-registry.sh"
# shellcheck source=scripts/lib/system/qrcode.sh
source "$ROOT/scripts/lib/system/qrcode.sh"

BINARY="$1"
DATABASE_URL="${2:-}"
if [[ "$BINARY" != /* ]]; then
    BINARY="$PWD/$BINARY"
fi
if [[ ! -x "$BINARY" ]]; then
    echo "system-tests: $BINARY is not an executable" >&2
    exit 2
fi

READY_TIMEOUT="${SYSTEM_TESTS_READY_TIMEOUT:-90}"
MAX_EXAMPLES="${SYSTEM_TESTS_MAX_EXAMPLES:-50}"
SCHEMATHESIS="${SCHEMATHESIS:-$ROOT/.venv/bin/schemathesis}"

PASSED=0
FAILED=0
ENGINE="cli"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/civitas-systest.XXXXXXXX")"
CREATED_DATABASES=()
SERVER_PID=""

# The node must see only the configuration each test gives it: scripts/test exports
# CIVITAS_TEST_POSTGRES_URL, and the node rejects CIVITAS_* variables it does not know.
CLEAN_ENV=(env)
while IFS= read -r name; do
    CLEAN_ENV+=(-u "$name")
done < <(compgen -e | grep '^CIVITAS_' || true)

psql_bin() {
    local bin
    if bin="$(pg_find_bin)" && [[ -x "$bin/psql" ]]; then
        printf '%s\n' "$bin/psql"
    else
        command -v psql
    fi
}

cleanup() {
    # Only one node runs at a time, and SERVER_PID is cleared once it has been reaped, so this never
    # signals a recycled process id.
    if [[ -n "${SERVER_PID:-}" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        sleep 1
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    # The exchange-node tests run several processes at once; they are reaped there unless a test was cut short.
    local pid
    for pid in "${XN_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    local db
    for db in "${CREATED_DATABASES[@]}"; do
        "$(psql_bin)" "$DATABASE_URL" -q -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass() {
    PASSED=$((PASSED + 1))
    printf 'PASS: %s: %s\n' "$ENGINE" "$1"
}

# fail NAME [DETAIL...]
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL: %s: %s\n' "$ENGINE" "$1"
    shift
    local line
    for line in "$@"; do
        printf '      %s\n' "$line"
    done
}

# check NAME COMMAND...: PASS when the command succeeds.
check() {
    local name="$1"
    shift
    if "$@"; then
        pass "$name"
    else
        fail "$name"
    fi
}

free_port() {
    pg_free_port
}

random_hex() {
    od -An -tx1 -N8 /dev/urandom | tr -d ' \n'
}

# split_at_dashes [VAR=VALUE...] -- ARGS...: sets the arrays VARS and ARGS.
split_at_dashes() {
    VARS=()
    ARGS=()
    local seen=0 arg
    for arg in "$@"; do
        if [[ $seen -eq 1 ]]; then
            ARGS+=("$arg")
        elif [[ "$arg" == "--" ]]; then
            seen=1
        else
            VARS+=("$arg")
        fi
    done
}

# ---------------------------------------------------------------------------------------------------
# Configuration errors: exit 78 (EX_CONFIG), one line on stderr naming the setting, no crash report.

# expect_config_error NAME NEEDLE [VAR=VALUE...] -- ARGS...
expect_config_error() {
    local name="$1" needle="$2"
    shift 2
    local out="$WORK/config-error.out" err="$WORK/config-error.err" rc=0
    split_at_dashes "$@"
    timeout 20 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$out" 2>"$err" || rc=$?
    local problems=()
    if [[ $rc -eq 124 ]]; then
        problems+=("did not exit within 20 s")
    elif [[ $rc -ne 78 ]]; then
        problems+=("exit status $rc, expected 78")
    fi
    if grep -q -E '^Fatal error|Stack dump' "$err"; then
        problems+=("stderr has a crash report")
    fi
    if ! grep -q -i -F -- "$needle" "$err"; then
        problems+=("stderr does not mention '$needle'")
    fi
    local lines
    lines="$(grep -c -v '^[[:space:]]*$' "$err" || true)"
    if [[ "$lines" -gt 1 ]]; then
        problems+=("stderr has $lines lines, expected one")
    fi
    if [[ -n "${SECRET_NEEDLE:-}" ]] && grep -q -F -- "$SECRET_NEEDLE" "$err" "$out"; then
        problems+=("output shows the database password")
    fi
    if [[ ${#problems[@]} -eq 0 ]]; then
        pass "$name"
    else
        local tail_lines=()
        mapfile -t tail_lines < <(tail -n 5 "$err" | sed 's/^/stderr| /')
        fail "$name" "${problems[@]}" "${tail_lines[@]}"
    fi
}

config_error_tests() {
    ENGINE="cli"
    echo "== cli =="
    local data="$WORK/cli-data" port
    mkdir -p "$data"
    port="$(free_port)"
    expect_config_error "serve --port 70000 is rejected" port \
        -- "$BINARY" serve --host 127.0.0.1 --port 70000 --data "$data"
    expect_config_error "CIVITAS_PORT=70000 is rejected" port \
        CIVITAS_PORT=70000 -- "$BINARY" serve --host 127.0.0.1 --data "$data"
    expect_config_error "unknown environment variable CIVITAS_BOGUS is rejected" CIVITAS_BOGUS \
        CIVITAS_BOGUS=1 -- "$BINARY" serve --host 127.0.0.1 --port "$port" --data "$data"

    local config="$WORK/unknown-top.json"
    printf '{"http": {"host": "127.0.0.1", "port": %s}, "data": {"dir": "%s"}, "bogus_section": {}}\n' \
        "$port" "$data" >"$config"
    expect_config_error "unknown top-level config file key is rejected" bogus_section \
        -- "$BINARY" serve --config "$config"
    config="$WORK/unknown-nested.json"
    printf '{"http": {"host": "127.0.0.1", "port": %s, "bogus_key": 1}, "data": {"dir": "%s"}}\n' \
        "$port" "$data" >"$config"
    expect_config_error "unknown nested config file key is rejected" bogus_key \
        -- "$BINARY" serve --config "$config"

    SECRET_NEEDLE="SysTestSecret42" expect_config_error "unreachable --database-url is rejected" database \
        -- "$BINARY" serve --host 127.0.0.1 --port "$port" --data "$data" \
        --database-url "postgres://civitas:SysTestSecret42@127.0.0.1:1/nowhere"

    # A port somebody else already listens on.
    local busy listener
    busy="$(free_port)"
    python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$busy" &
    listener=$!
    sleep 0.5
    expect_config_error "a port already in use is reported as such" "already in use" \
        -- "$BINARY" serve --host 127.0.0.1 --port "$busy" --data "$data" --log-level error
    kill "$listener" 2>/dev/null || true
    wait "$listener" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------------
# A running node.

SERVER_PORT=""
SERVER_LOG=""
SERVER_LOG_SHOWN=0

show_server_log() {
    if [[ -n "$SERVER_LOG" && -f "$SERVER_LOG" && "$SERVER_LOG_SHOWN" -eq 0 ]]; then
        SERVER_LOG_SHOWN=1
        echo "      --- last 40 lines of the node's log ($ENGINE) ---"
        tail -n 40 "$SERVER_LOG" | sed 's/^/      log| /'
        echo "      ---"
    fi
}

# start_server NAME [VAR=VALUE...] -- ARGS...: starts `civitas ARGS` in the background and waits
# until /health/ready answers 200. VAR=VALUE and ARGS may hold the placeholder @PORT@, replaced by a
# free port; when SERVER_PREPARE names a function, it is called with that port first (to write a
# config file, say). Sets SERVER_PID, SERVER_PORT and SERVER_LOG.
start_server() {
    local name="$1"
    shift
    split_at_dashes "$@"
    local vars=("${VARS[@]}") args=("${ARGS[@]}") arg attempt status=""
    SERVER_LOG="$WORK/$name.log"
    SERVER_LOG_SHOWN=0
    SERVER_PID=""
    for ((attempt = 1; attempt <= 3; attempt++)); do
        SERVER_PORT="$(free_port)"
        if [[ -n "${SERVER_PREPARE:-}" ]]; then
            "$SERVER_PREPARE" "$SERVER_PORT"
        fi
        local final_vars=() final_args=()
        for arg in "${vars[@]}"; do final_vars+=("${arg//@PORT@/$SERVER_PORT}"); done
        for arg in "${args[@]}"; do final_args+=("${arg//@PORT@/$SERVER_PORT}"); done
        "${CLEAN_ENV[@]}" "${final_vars[@]}" "$BINARY" "${final_args[@]}" </dev/null >"$SERVER_LOG" 2>&1 &
        SERVER_PID=$!
        if wait_ready; then
            pass "$name: node becomes ready on port $SERVER_PORT"
            return 0
        fi
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            kill -KILL "$SERVER_PID" 2>/dev/null || true
            wait "$SERVER_PID" 2>/dev/null || true
            status="still not ready after ${READY_TIMEOUT} s"
            break
        fi
        local rc=0
        wait "$SERVER_PID" 2>/dev/null || rc=$?
        status="exited with status $rc before it was ready"
        # Someone else may have taken the port between our probe and the node's bind: try another.
        if ! grep -q -i 'address already in use' "$SERVER_LOG"; then
            break
        fi
    done
    fail "$name: node becomes ready" "$status"
    show_server_log
    SERVER_PID=""
    return 1
}

wait_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT)) code
    while ((SECONDS < deadline)); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            return 1
        fi
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
            "http://127.0.0.1:$SERVER_PORT/health/ready" 2>/dev/null || true)"
        if [[ "$code" == "200" ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# stop_server NAME: SIGTERM, then the node must exit with status 0 within 10 s.
stop_server() {
    local name="$1"
    [[ -n "$SERVER_PID" ]] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 "$SERVER_PID" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        fail "$name: SIGTERM stops the node within 10 s"
        show_server_log
    else
        local rc=0
        wait "$SERVER_PID" || rc=$?
        if [[ $rc -eq 0 ]]; then
            pass "$name: SIGTERM stops the node with exit status 0"
        else
            fail "$name: SIGTERM stops the node with exit status 0" "exit status $rc"
            show_server_log
        fi
    fi
    SERVER_PID=""
}

# http NAME PATH [CURL ARGS...]: GET (or what the args say) into $WORK/body and $WORK/headers;
# prints the status code.
http() {
    local path="$1"
    shift
    curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' --max-time 10 "$@" \
        "http://127.0.0.1:$SERVER_PORT$path" || true
}

header() {
    grep -i "^$1:" "$WORK/headers" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^[[:space:]]*//;s/[[:space:]]*$//'
}

# expect_http NAME STATUS CONTENT_TYPE_PREFIX PATH [CURL ARGS...]
expect_http() {
    local name="$1" status="$2" type="$3" path="$4"
    shift 4
    local code ctype problems=()
    code="$(http "$path" "$@")"
    ctype="$(header content-type)"
    if [[ "$code" != "$status" ]]; then
        problems+=("status $code, expected $status")
    fi
    if [[ -n "$type" && "${ctype,,}" != "${type,,}"* ]]; then
        problems+=("Content-Type '$ctype', expected $type")
    fi
    if [[ ${#problems[@]} -eq 0 ]]; then
        pass "$name"
        return 0
    fi
    fail "$name" "${problems[@]}" "body: $(head -c 300 "$WORK/body" | tr '\n' ' ')"
    show_server_log
    return 1
}

body_has() {
    grep -q -F -- "$1" "$WORK/body"
}

json_check() {
    python3 -c "import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if ($1) else 1)" "$WORK/body" 2>/dev/null
}

http_surface_tests() {
    local name="$1"
    expect_http "$name: GET /health/live is 200" 200 "" /health/live || true
    expect_http "$name: GET /health/ready is 200" 200 "" /health/ready || true

    if expect_http "$name: GET /metrics is Prometheus text" 200 text/plain /metrics; then
        check "$name: /metrics has # TYPE lines" body_has "# TYPE "
    fi

    if expect_http "$name: GET /openapi.json is JSON" 200 application/json /openapi.json; then
        check "$name: /openapi.json is OpenAPI 3.1 with paths" \
            json_check 'str(doc.get("openapi", "")).startswith("3.1") and len(doc.get("paths", {})) > 0'
    fi

    if expect_http "$name: GET / is an HTML page" 200 text/html / -H 'Accept: text/html' \
        -H 'Accept-Language: en'; then
        check "$name: GET / in English has <html lang=\"en\"" body_has '<html lang="en"'
    fi
    if expect_http "$name: GET / in Georgian is an HTML page" 200 text/html / -H 'Accept: text/html' \
        -H 'Accept-Language: ka'; then
        check "$name: GET / with Accept-Language: ka has <html lang=\"ka\"" body_has '<html lang="ka"'
    fi

    local missing
    missing="/no-such-page-$(random_hex)"
    if expect_http "$name: unknown path for a browser is a 404 HTML page" 404 text/html "$missing" \
        -H 'Accept: text/html'; then
        check "$name: the 404 HTML page is a whole page" body_has '<html'
    fi
    if expect_http "$name: unknown path for an API client is a 404 problem" 404 application/problem+json \
        "$missing" -H 'Accept: application/json'; then
        check "$name: the 404 problem is an RFC 9457 object" \
            json_check 'isinstance(doc, dict) and doc.get("status", 404) == 404 and ("title" in doc or "type" in doc)'
    fi

    local request_id got path
    for path in /health/live /openapi.json "$missing"; do
        request_id="$(cat /proc/sys/kernel/random/uuid)"
        http "$path" -H "X-Request-Id: $request_id" -H 'Accept: application/json' >/dev/null
        got="$(header x-request-id)"
        if [[ "$got" == "$request_id" ]]; then
            pass "$name: $path echoes the X-Request-Id sent"
        else
            fail "$name: $path echoes the X-Request-Id sent" "sent '$request_id', got '$got'"
        fi
    done
    http /health/live >/dev/null
    got="$(header x-request-id)"
    if [[ -n "$got" ]]; then
        pass "$name: a request without X-Request-Id gets one"
    else
        fail "$name: a request without X-Request-Id gets one"
    fi
}

schemathesis_test() {
    local name="$1"
    if [[ ! -x "$SCHEMATHESIS" ]]; then
        fail "$name: schemathesis" "$SCHEMATHESIS not found (scripts/test creates .venv)"
        return
    fi
    local global=(--no-color)
    if [[ -f "$ROOT/schemathesis.toml" ]]; then
        global+=(--config-file "$ROOT/schemathesis.toml")
    fi
    local out="$WORK/schemathesis-$name.out" rc=0 started=$SECONDS
    # Run from the scratch directory so nothing (reports, example databases) lands in the repository.
    (cd "$WORK" && timeout 300 "$SCHEMATHESIS" "${global[@]}" run \
        "http://127.0.0.1:$SERVER_PORT/openapi.json" \
        --checks all \
        --max-examples "$MAX_EXAMPLES" \
        --workers 2 \
        --request-timeout 10 \
        --generation-database none \
        --max-failures 20 \
        </dev/null >"$out" 2>&1) || rc=$?
    if [[ $rc -eq 0 ]]; then
        pass "$name: schemathesis --checks all finds nothing ($((SECONDS - started)) s)"
        tail -n 20 "$out" | grep -v "^[[:space:]]*$" | sed "s/^/      | /"
    else
        local reason="exit status $rc"
        [[ $rc -eq 124 ]] && reason="did not finish within 300 s"
        fail "$name: schemathesis --checks all finds nothing" "$reason; its report:"
        tail -n 150 "$out" | sed 's/^/      | /'
        show_server_log
    fi
}

# expect_ok NAME [VAR=VALUE...] -- ARGS...: the command exits 0 within 120 s.
expect_ok() {
    local name="$1"
    shift
    local out="$WORK/cmd.out" rc=0
    split_at_dashes "$@"
    timeout 120 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$out" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then
        pass "$name"
    else
        local tail_lines=()
        mapfile -t tail_lines < <(tail -n 15 "$out" | sed 's/^/out| /')
        fail "$name" "exit status $rc" "${tail_lines[@]}"
    fi
}

# node_tests ENGINE [VAR=VALUE...]: the whole node-level list on one storage engine.
node_tests() {
    ENGINE="$1"
    shift
    local vars=("$@")
    local data="$WORK/data-$ENGINE"
    mkdir -p "$data"
    echo "== $ENGINE =="

    expect_ok "civitas migrate (first run)" "${vars[@]}" -- "$BINARY" migrate --data "$data"
    expect_ok "civitas migrate (second run, nothing pending)" "${vars[@]}" -- "$BINARY" migrate --data "$data"
    pki_tests "$data" "${vars[@]}"
    esignature_tests "$data" "${vars[@]}"
    exchange_registry_tests "$data" "${vars[@]}"
    identity_device_tests "$data" "${vars[@]}"

    if start_server "serve" "${vars[@]}" -- serve --host 127.0.0.1 --port @PORT@ --data "$data"; then
        http_surface_tests "serve"
        body_limit_test "serve"
        tsa_interop_test
        timestamp_client_tests
        ocsp_crl_interop_test "$data" "${vars[@]}"
        validation_tests "$data" "${vars[@]}"
        if http /certs/root-ca.crt >/dev/null && openssl x509 -inform DER -in "$WORK/body" -noout 2>/dev/null &&
            cmp -s <(openssl x509 -inform DER -in "$WORK/body") <(openssl x509 -in "$WORK/pki/root-ca.pem"); then
            pass "/certs/root-ca.crt is the exported root, in DER"
        else
            fail "/certs/root-ca.crt is the exported root, in DER"
        fi
        schemathesis_test "serve"
        stop_server "serve"
    fi

    expect_ok "civitas audit verify after a serve" "${vars[@]}" -- "$BINARY" audit verify --data "$data"
    audit_tamper_test "$data" "${vars[@]}"
}

# ocsp_expect NAME CERT STATUS [OPENSSL OCSP ARGS...]: openssl ocsp against the live node verifies the answer.
ocsp_expect() {
    local name="$1" cert="$2" status="$3"
    shift 3
    local pki="$WORK/pki" out="$WORK/ocsp.out"
    if openssl ocsp "$@" -issuer "$pki/citizens-ca.pem" -cert "$cert" -url "http://127.0.0.1:$SERVER_PORT/ocsp" \
        -CAfile "$pki/root-ca.pem" -verify_other "$pki/chain.pem" >"$out" 2>&1 &&
        grep -q "Response verify OK" "$out" && grep -q ": $status" "$out"; then
        pass "OCSP: $name"
    else
        fail "OCSP: $name" "$(cat "$out")"
    fi
}

# ocsp_crl_interop_test DATA [VAR=VALUE...]: openssl ocsp and openssl crl against the live node, and a status
# changed by another process (the CLI) visible to the running node's OCSP answers within seconds.
ocsp_crl_interop_test() {
    local data="$1"
    shift
    local pki="$WORK/pki"
    ocsp_expect "a good certificate, SHA-1 CertID, with nonce" "$pki/good.pem" good
    ocsp_expect "a good certificate, SHA-256 CertID, without nonce" "$pki/good.pem" good -sha256 -no_nonce
    ocsp_expect "a revoked certificate shows keyCompromise" "$pki/citizen.pem" revoked -no_nonce
    ocsp_expect "a revoked certificate, SHA-256 CertID" "$pki/citizen.pem" revoked -sha256
    local out="$WORK/ocsp-unknown.out"
    if openssl ocsp -issuer "$pki/citizens-ca.pem" -serial 0x0123456789 -url "http://127.0.0.1:$SERVER_PORT/ocsp" \
        -CAfile "$pki/root-ca.pem" -verify_other "$pki/chain.pem" >"$out" 2>&1 && grep -q ": unknown" "$out"; then
        pass "OCSP: a serial never issued is unknown"
    else
        fail "OCSP: a serial never issued is unknown" "$(cat "$out")"
    fi
    if http /crl/citizens-ca.crl >/dev/null && openssl crl -inform DER -in "$WORK/body" -CAfile "$pki/citizens-ca.pem" \
        -noout >"$WORK/crl.out" 2>&1 && grep -q "verify OK" "$WORK/crl.out"; then
        pass "CRL: openssl crl verifies the citizens CA's CRL"
    else
        fail "CRL: openssl crl verifies the citizens CA's CRL" "$(cat "$WORK/crl.out" 2>/dev/null)"
    fi
    openssl crl -inform DER -in "$WORK/body" -out "$pki/citizens.crl.pem" 2>/dev/null
    cat "$pki/root-ca.pem" "$pki/citizens-ca.pem" >"$pki/citizens-chain.pem"
    if ! openssl verify -crl_check -CRLfile "$pki/citizens.crl.pem" -CAfile "$pki/citizens-chain.pem" \
        "$pki/citizen.pem" >/dev/null 2>&1 &&
        openssl verify -crl_check -CRLfile "$pki/citizens.crl.pem" -CAfile "$pki/citizens-chain.pem" \
            "$pki/good.pem" >/dev/null 2>&1; then
        pass "CRL: openssl verify -crl_check rejects the revoked certificate and accepts the good one"
    else
        fail "CRL: openssl verify -crl_check rejects the revoked certificate and accepts the good one"
    fi
    # Another process suspends the good certificate; the running node's cached answer must change.
    local serial
    serial="$(openssl x509 -in "$pki/good.pem" -noout -serial | cut -d= -f2)"
    expect_ok "civitas pki suspend (another process)" "$@" -- "$BINARY" pki suspend --data "$data" \
        --log-level warning --issuer citizens-ca --serial "$serial"
    sleep 2
    ocsp_expect "a suspension by another process is visible within 2 s" "$pki/good.pem" revoked -no_nonce
}

# pkcs11_tests: the whole hierarchy's keys in a SoftHSM2 token; openssl verifies the chain and a time-stamp.
pkcs11_tests() {
    ENGINE="pkcs11"
    echo "== pkcs11 (SoftHSM2) =="
    local dir="$WORK/softhsm" data="$WORK/data-pkcs11" pki="$WORK/pki-pkcs11"
    mkdir -p "$dir/tokens" "$data" "$pki"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$dir/tokens" >"$dir/softhsm2.conf"
    if ! SOFTHSM2_CONF="$dir/softhsm2.conf" softhsm2-util --init-token --free --label civitas --pin 1234 \
        --so-pin 5678 >"$dir/init.out" 2>&1; then
        fail "create a SoftHSM2 token" "$(cat "$dir/init.out")"
        return
    fi
    local vars=(SOFTHSM2_CONF="$dir/softhsm2.conf" CIVITAS_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so
        CIVITAS_PKCS11_TOKEN=civitas CIVITAS_PKCS11_PIN=1234)
    expect_ok "civitas pki init with every key in the HSM" "${vars[@]}" -- "$BINARY" pki init --data "$data" \
        --log-level warning
    expect_ok "civitas pki export" "${vars[@]}" -- "$BINARY" pki export --data "$data" --out "$pki" \
        --log-level warning
    if openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/chain.pem" "$pki/tsa.pem" \
        "$pki/citizens-ocsp.pem" >/dev/null 2>&1; then
        pass "openssl verify accepts the hierarchy signed by HSM keys"
    else
        fail "openssl verify accepts the hierarchy signed by HSM keys"
    fi
    if [[ -n "$(ls -A "$data/secrets" 2>/dev/null)" ]]; then
        fail "no software key-encryption key is created when the keys are in the HSM"
    else
        pass "no software key-encryption key is created when the keys are in the HSM"
    fi
    if start_server "pkcs11" "${vars[@]}" -- serve --host 127.0.0.1 --port @PORT@ --data "$data"; then
        printf 'sealed by the HSM' >"$WORK/hsm.txt"
        openssl ts -query -data "$WORK/hsm.txt" -sha256 -cert -out "$WORK/hsm.tsq" 2>/dev/null
        http /tsa -X POST -H "Content-Type: application/timestamp-query" --data-binary @"$WORK/hsm.tsq" >/dev/null
        cp "$WORK/body" "$WORK/hsm.tsr"
        cat "$pki/tsa.pem" "$pki/organisations-ca.pem" >"$pki/tsa-chain.pem"
        if openssl ts -verify -queryfile "$WORK/hsm.tsq" -in "$WORK/hsm.tsr" -CAfile "$pki/root-ca.pem" \
            -untrusted "$pki/tsa-chain.pem" 2>/dev/null | grep -q "Verification: OK"; then
            pass "a time-stamp signed by the HSM's TSA key verifies with openssl ts -verify"
        else
            fail "a time-stamp signed by the HSM's TSA key verifies with openssl ts -verify"
        fi
        stop_server "pkcs11"
    fi
}

# tsa_interop_test: the live node's /tsa, checked by openssl ts and PyPI rfc3161-client (scripts/interop/tsa.sh).
tsa_interop_test() {
    local pki="$WORK/pki"
    cat "$pki/tsa.pem" "$pki/organisations-ca.pem" >"$pki/tsa-chain.pem"
    if TSA_POLICY=2.999.1.100 RFC3161_PYTHON="$ROOT/.venv/bin/python" bash "$ROOT/scripts/interop/tsa.sh" url \
        "http://127.0.0.1:$SERVER_PORT/tsa" "$pki/root-ca.pem" "$pki/tsa-chain.pem" "$WORK/tsa" \
        >"$WORK/tsa.out" 2>&1; then
        pass "RFC 3161: openssl ts and rfc3161-client accept every reply ($(tail -n 1 "$WORK/tsa.out"))"
    else
        local lines=()
        mapfile -t lines < <(grep -E "^FAIL" "$WORK/tsa.out" | head -n 10)
        fail "RFC 3161: openssl ts and rfc3161-client accept every reply" "${lines[@]}" "$(tail -n 1 "$WORK/tsa.out")"
    fi
}

# seal_tests DATA [VAR=VALUE...]: an organisation's e-seal; openssl cms -cades accepts B-B and B-T, pyHanko
# validates the B-T signature with its time-stamp, and a changed document is refused.
seal_tests() {
    local data="$1"
    shift
    local pki="$WORK/pki"
    expect_ok "civitas seal create" "$@" -- "$BINARY" seal create --data "$data" --log-level warning \
        --name civil-registry --organisation "Civil Registry Agency" --code GOV-700000015
    printf 'Birth certificate 2026-000123\n' >"$pki/document.txt"
    printf 'Birth certificate 2026-000124\n' >"$pki/changed.txt"
    for level in B-B B-T; do
        expect_ok "civitas seal sign ($level)" "$@" -- "$BINARY" seal sign --data "$data" --log-level warning \
            --name civil-registry --in "$pki/document.txt" --out "$pki/document.$level.p7s" --level "$level"
        if openssl cms -verify -binary -inform DER -in "$pki/document.$level.p7s" -content "$pki/document.txt" \
            -CAfile "$pki/root-ca.pem" -purpose any -cades -out /dev/null >"$WORK/cms.out" 2>&1; then
            pass "openssl cms -verify -cades accepts the $level seal"
        else
            fail "openssl cms -verify -cades accepts the $level seal" "$(cat "$WORK/cms.out")"
        fi
        if openssl cms -verify -binary -inform DER -in "$pki/document.$level.p7s" -content "$pki/changed.txt" \
            -CAfile "$pki/root-ca.pem" -purpose any -cades -out /dev/null >/dev/null 2>&1; then
            fail "openssl cms refuses the $level seal over a changed document"
        else
            pass "openssl cms refuses the $level seal over a changed document"
        fi
    done
    local out="$WORK/pyhanko.out"
    if (cd "$pki" && "$ROOT/.venv/bin/pyhanko" sign validate --detached document.B-T.p7s --trust root-ca.pem \
        --trust-replace --no-revocation-check document.txt) >"$out" 2>&1 &&
        grep -q "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>" "$out"; then
        pass "pyhanko validates the B-T seal and its time-stamp ($(tail -n 1 "$out"))"
    else
        fail "pyhanko validates the B-T seal and its time-stamp" "$(cat "$out")"
    fi
}

# pki_tests DATA [VAR=VALUE...]: the national PKI, checked with openssl.
pki_tests() {
    local data="$1"
    shift
    local pki="$WORK/pki"
    rm -rf "$pki"
    mkdir -p "$pki"
    expect_ok "civitas pki init" "$@" -- "$BINARY" pki init --data "$data" --log-level warning
    expect_ok "civitas pki export" "$@" -- "$BINARY" pki export --data "$data" --out "$pki" --log-level warning
    if openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/chain.pem" "$pki/citizens-ca.pem" \
        "$pki/organisations-ca.pem" "$pki/tsa.pem" "$pki/citizens-ocsp.pem" "$pki/organisations-ocsp.pem" \
        >"$WORK/verify.out" 2>&1; then
        pass "openssl verify accepts every hierarchy certificate"
    else
        fail "openssl verify accepts every hierarchy certificate" "$(cat "$WORK/verify.out")"
    fi
    if openssl x509 -in "$pki/tsa.pem" -noout -ext extendedKeyUsage 2>/dev/null | grep -q "critical" &&
        openssl x509 -in "$pki/tsa.pem" -noout -ext extendedKeyUsage 2>/dev/null | grep -q "Time Stamping"; then
        pass "the TSA certificate has the critical timeStamping EKU"
    else
        fail "the TSA certificate has the critical timeStamping EKU"
    fi
    if openssl x509 -in "$pki/citizens-ocsp.pem" -noout -text 2>/dev/null | grep -q "OCSP No Check"; then
        pass "the OCSP signer carries id-pkix-ocsp-nocheck"
    else
        fail "the OCSP signer carries id-pkix-ocsp-nocheck"
    fi
    openssl ecparam -name prime256v1 -genkey -noout -out "$pki/citizen.key" 2>/dev/null
    openssl req -new -key "$pki/citizen.key" -subj "/CN=Nino Beridze/serialNumber=PNOCV-01234567892" \
        -out "$pki/citizen.csr" 2>/dev/null
    expect_ok "civitas pki issue from an openssl CSR" "$@" -- "$BINARY" pki issue --data "$data" --log-level warning \
        --profile citizen-qualified-signature --csr "$pki/citizen.csr" --out "$pki/citizen.pem"
    if openssl verify -CAfile "$pki/root-ca.pem" -untrusted "$pki/chain.pem" "$pki/citizen.pem" >/dev/null 2>&1 &&
        openssl x509 -in "$pki/citizen.pem" -noout -text | grep -q "qcStatements" &&
        openssl x509 -in "$pki/citizen.pem" -noout -text | grep -q "0.4.0.194112.1.2"; then
        pass "the qualified certificate verifies and carries QC statements and QCP-n-qscd"
    else
        fail "the qualified certificate verifies and carries QC statements and QCP-n-qscd"
    fi
    openssl req -new -key "$pki/citizen.key" -subj "/CN=Giorgi Kapanadze" -out "$pki/good.csr" 2>/dev/null
    expect_ok "civitas pki issue an authentication certificate" "$@" -- "$BINARY" pki issue --data "$data" \
        --log-level warning --profile citizen-authentication --csr "$pki/good.csr" --out "$pki/good.pem"
    seal_tests "$data" "$@"
    local serial
    serial="$(openssl x509 -in "$pki/citizen.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')"
    expect_ok "civitas pki revoke" "$@" -- "$BINARY" pki revoke --data "$data" --log-level warning \
        --issuer citizens-ca --serial "$serial" --reason keyCompromise
    local out="$WORK/revoke-again.out" rc=0
    split_at_dashes "$@" -- "$BINARY" pki revoke --data "$data" --log-level warning --issuer citizens-ca \
        --serial "$serial"
    timeout 60 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$out" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]] && grep -q "revoked certificate cannot" "$out"; then
        pass "revoking a revoked certificate is refused with a clear message"
    else
        fail "revoking a revoked certificate is refused with a clear message" "exit $rc" "$(cat "$out")"
    fi
}

# audit_tamper_test DATA [VAR=VALUE...]: change entry 1 behind the node's back with the engine's own client;
# `civitas audit verify` must exit 1 and name entry 1.
audit_tamper_test() {
    local data="$1"
    shift
    local sql="UPDATE audit_entries SET purpose = 'tampered' WHERE seq = 1"
    if [[ "$ENGINE" == "sqlite" ]]; then
        sqlite3 "$data/civitas.sqlite" "$sql" || { fail "tamper with the audit chain (sqlite3)"; return; }
    else
        "$(psql_bin)" "$DATABASE_UNDER_TEST" -q -v ON_ERROR_STOP=1 -c "$sql" >/dev/null ||
            { fail "tamper with the audit chain (psql)"; return; }
    fi
    local out="$WORK/tamper.out" rc=0
    split_at_dashes "$@" -- "$BINARY" audit verify --data "$data"
    timeout 120 "${CLEAN_ENV[@]}" "${VARS[@]}" "${ARGS[@]}" </dev/null >"$out" 2>&1 || rc=$?
    if [[ $rc -eq 1 ]] && grep -q "broken at entry 1:" "$out"; then
        pass "civitas audit verify exits 1 naming the changed entry"
    else
        fail "civitas audit verify exits 1 naming the changed entry" "exit status $rc" "$(cat "$out")"
    fi
}

# body_limit_test NAME: a chunked body (no Content-Length) over the limit is refused with 413.
body_limit_test() {
    local name="$1"
    head -c 1200000 /dev/zero | tr '\0' 'a' >"$WORK/big.body"
    expect_http "$name: a chunked body over the limit is refused with 413" 413 application/problem+json /language \
        -X POST -H "Transfer-Encoding: chunked" -H "Content-Type: application/x-www-form-urlencoded" \
        --data-binary @"$WORK/big.body" || true
}

write_node_config() {
    printf '{"http": {"host": "127.0.0.1", "port": %s}, "data": {"dir": "%s"}}\n' "$1" "$CONFIG_SOURCE_DATA" \
        >"$WORK/node.json"
}

# The other two ways to configure a node: environment variables and a config file.
configuration_source_tests() {
    ENGINE="cli"
    local data="$WORK/data-config-sources"
    mkdir -p "$data"
    if start_server "env-configured" CIVITAS_HOST=127.0.0.1 CIVITAS_PORT=@PORT@ CIVITAS_DATA_DIR="$data" \
        CIVITAS_LOG_LEVEL=info CIVITAS_LOG_FORMAT=json -- serve; then
        expect_http "env-configured: GET /health/live is 200" 200 "" /health/live || true
        stop_server "env-configured"
        if python3 -c 'import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        if isinstance(json.loads(line), dict):
            sys.exit(0)
    except ValueError:
        pass
sys.exit(1)' "$SERVER_LOG"; then
            pass "env-configured: CIVITAS_LOG_FORMAT=json logs JSON lines"
        else
            fail "env-configured: CIVITAS_LOG_FORMAT=json logs JSON lines"
            show_server_log
        fi
    fi

    CONFIG_SOURCE_DATA="$data"
    if SERVER_PREPARE=write_node_config start_server "file-configured" -- serve --config "$WORK/node.json"; then
        expect_http "file-configured: GET /health/live is 200" 200 "" /health/live || true
        stop_server "file-configured"
    fi
}

# create_database: a fresh database on the server at DATABASE_URL; sets DATABASE_UNDER_TEST to its URL.
create_database() {
    local db psql
    db="civitas_sys_$(random_hex)"
    psql="$(psql_bin)" || return 1
    "$psql" "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\"" >/dev/null || return 1
    CREATED_DATABASES+=("$db")
    DATABASE_UNDER_TEST="$(python3 -c 'import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(u._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$db")"
}

main() {
    local started=$SECONDS
    echo "system tests of $BINARY"
    config_error_tests
    configuration_source_tests
    node_tests sqlite
    oidc_tests
    consent_tests
    officials_tests
    identity_password_tests
    login_timing_tests
    representation_tests
    qrcode_tests
    pkcs11_tests
    exchange_node_tests
    if [[ -n "$DATABASE_URL" ]]; then
        ENGINE="postgres"
        if create_database; then
            node_tests postgres "CIVITAS_DATABASE_URL=$DATABASE_UNDER_TEST"
        else
            fail "create a fresh database on the PostgreSQL server"
        fi
    fi
    echo "system tests took $((SECONDS - started)) s"
    echo "system-tests: $PASSED passed, $FAILED failed"
    [[ $FAILED -eq 0 ]]
}

main
