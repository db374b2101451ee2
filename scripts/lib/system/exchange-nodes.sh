#!/usr/bin/env bash
# shellcheck shell=bash
#
# Exchange nodes end to end, each its own process: a national node (PKI, OCSP, TSA and the central registry),
# three member nodes (`--blocks exchange`) and a member's backend in Python. The keys are made by each node,
# the certificates issued by the PKI from the nodes' PKCS#10 requests, the nodes registered with the CLI.
# Checked with curl: an allowed call passes end to end with both logs holding it; a client without rights gets
# Server.ServerProxy.AccessDenied in the protocol's JSON; bad requests get Client.BadRequest; listClients,
# listMethods, allowedMethods and getOpenAPI answer; myPersonalDataUsage answers only the subsystem with the right,
# in GovStack's PersonalDataUsage shape; a caller without a registered certificate is refused in the
# TLS handshake (openssl s_client); the evidence exported from both logs verifies offline and fails with one
# byte changed. Then the faults: the TSA cut (a TCP forwarder stopped): messages keep flowing, then past the
# unstamped limit the node refuses and says why, and once it is back every record is stamped; the provider node
# SIGKILLed under load: every answered call is in both logs after the restart; a node's seal revoked: refused
# within the OCSP freshness limit; the registry gone past the configuration's validity: the node refuses with
# OutdatedGlobalConf. Sourced by scripts/lib/system-tests.sh.
#
#     exchange_node_tests

XN_PIDS=()

# xn_start NAME DATA HTTP_PORT [VAR=VALUE...]: starts a node in the background and waits for /health/ready.
xn_start() {
    local name="$1" data="$2" port="$3"
    shift 3
    "${CLEAN_ENV[@]}" "$@" "$BINARY" serve --host 127.0.0.1 --port "$port" --data "$data" --log-level info \
        </dev/null >"$WORK/xn/$name.log" 2>&1 &
    local pid=$!
    XN_PIDS+=("$pid")
    eval "XN_PID_${name//-/_}=$pid"
    local deadline=$((SECONDS + READY_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            fail "$name starts" "$(tail -n 8 "$WORK/xn/$name.log")"
            return 1
        fi
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready")" == 200 ]]
        then
            pass "$name becomes ready on port $port"
            return 0
        fi
        sleep 0.2
    done
    fail "$name becomes ready" "$(tail -n 8 "$WORK/xn/$name.log")"
    return 1
}

xn_stop_all() {
    local pid
    for pid in "${XN_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${XN_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    XN_PIDS=()
}

# xn_cli NAME ARGS...: a CLI step that must succeed.
xn_cli() {
    local name="$1"
    shift
    if timeout 120 "${CLEAN_ENV[@]}" "$BINARY" "$@" </dev/null >"$WORK/xn/out" 2>"$WORK/xn/err"; then
        return 0
    fi
    fail "$name" "$(tail -n 5 "$WORK/xn/err")"
    return 1
}

# xn_call PORT PATH CLIENT [CURL ARGS...]: a member system's call; body in $WORK/xn/body, headers in
# $WORK/xn/headers; prints the status.
xn_call() {
    local port="$1" path="$2" client="$3"
    shift 3
    local client_header=()
    [[ -n "$client" ]] && client_header=(-H "X-Road-Client: $client")
    curl -s -o "$WORK/xn/body" -D "$WORK/xn/headers" -w '%{http_code}' --max-time 60 "${client_header[@]}" "$@" \
        "http://127.0.0.1:$port$path"
}

xn_header() {
    grep -i "^$1:" "$WORK/xn/headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'
}

# xn_json EXPRESSION: a Python expression over `b`, the parsed body, must be true.
xn_json() {
    python3 -c 'import json, sys
b = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$WORK/xn/body" "$1"
}

exchange_node_tests() {
    ENGINE="exchange"
    local dir="$WORK/xn" national="$WORK/xn/national"
    rm -rf "$dir"
    mkdir -p "$dir"
    local common=(--log-level warning)
    local national_port backend_port tsa_port
    national_port="$(free_port)"
    XN_NATIONAL_PORT="$national_port"
    backend_port="$(free_port)"
    tsa_port="$(free_port)"
    local -a http_ports=() tls_ports=()
    local k
    for k in 1 2 3; do
        http_ports[k]="$(free_port)"
        tls_ports[k]="$(free_port)"
    done

    local addresses=()
    for k in 1 2 3; do addresses+=("127.0.0.1:${tls_ports[k]}"); done
    if exchange_setup "$dir" "http://127.0.0.1:$backend_port/api" "${addresses[@]}" 2>"$dir/setup.err"; then
        pass "three nodes made their keys, got certificates from their requests and were registered"
    else
        fail "three nodes are set up with the CLI" "$(tail -n 5 "$dir/setup.err")"
        return
    fi
    if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange keys import --data "$dir/node1" "${common[@]}" \
        --authentication "$dir/keys2/authentication.pem" --seal "$dir/keys2/seal.pem" \
        --ca "$dir/pki/organisations-ca.pem" --trust-anchor "$dir/pki/root-ca.pem" >"$dir/out" 2>&1; then
        fail "keys import refuses another node's certificates"
    elif grep -q "not for this node" "$dir/out"; then
        pass "keys import refuses another node's certificates"
    else
        fail "keys import refuses another node's certificates" "$(tail -n 3 "$dir/out")"
    fi
    local service="$EXCHANGE_SETUP_SERVICE"
    if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange provide add --data "$dir/node1" "${common[@]}" \
        --service "$service" --backend "ftp://127.0.0.1/x" >"$dir/out" 2>&1; then
        fail "provide add refuses a backend that is not http(s)"
    else
        pass "provide add refuses a backend that is not http(s)"
    fi
    # The provider's data tracker as a service: member 3's subsystem plays the citizen portal that may read it.
    local usage_service="CVT/GOV/70000001/population/myPersonalDataUsage"
    if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange service add --data "$national" "${common[@]}" \
        --id "$usage_service" --title "Who used my data" >"$dir/out" 2>&1 \
        && timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange access add --data "$national" "${common[@]}" \
            --client CVT/GOV/70000003/stats --service "$usage_service" --method GET >>"$dir/out" 2>&1; then
        pass "the registry lists myPersonalDataUsage of the provider and lets one subsystem call it"
    else
        fail "myPersonalDataUsage is registered with one right" "$(tail -n 3 "$dir/out")"
    fi
    if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange provide add --data "$dir/node1" "${common[@]}" \
        --service "$usage_service" --backend "http://127.0.0.1:9/x" >"$dir/out" 2>&1; then
        fail "provide add refuses a service code the node answers itself"
    elif grep -q "answered by the node itself" "$dir/out"; then
        pass "provide add refuses a service code the node answers itself (myPersonalDataUsage)"
    else
        fail "provide add refuses myPersonalDataUsage" "$(tail -n 3 "$dir/out")"
    fi

    python3 "$ROOT/scripts/lib/system/exchange_backend.py" "$backend_port" >"$dir/backend.log" 2>&1 &
    XN_PIDS+=("$!")
    python3 "$ROOT/scripts/lib/system/tcp_forward.py" "$tsa_port" "$national_port" >/dev/null 2>&1 &
    XN_TSA_PATH=$!
    XN_PIDS+=("$XN_TSA_PATH")
    # Residents with password accounts on the national node, for the citizen's page (the registry already has its
    # members, so the demo adds no agencies of its own).
    XN_CITIZEN="" XN_CITIZEN_NUMBER=""
    if timeout 120 "${CLEAN_ENV[@]}" "$BINARY" demo --no-serve --data "$national" --persons 3 \
        >"$dir/demo.out" 2>&1; then
        read -r XN_CITIZEN XN_CITIZEN_NUMBER < <(sqlite3 -separator ' ' "$national/civitas.sqlite" \
            "SELECT username, personal_number FROM identity_accounts WHERE password_hash IS NOT NULL
             AND totp_secret IS NULL AND must_change_password = 0 ORDER BY username LIMIT 1") || true
    fi
    [[ -n "$XN_CITIZEN" ]] || fail "the national node gets demo residents with accounts" "$(tail -n 3 "$dir/demo.out")"
    XN_NATIONAL_ENV=(CIVITAS_EXCHANGE_OCSP_FRESHNESS_SECONDS=8 CIVITAS_EXCHANGE_CONFIGURATION_VALIDITY_SECONDS=24
        "CIVITAS_EXCHANGE_MAX_MESSAGE_BYTES=$((64 << 20))"
        "CIVITAS_EXCHANGE_TSA_URL=http://127.0.0.1:$tsa_port/tsa"
        "CIVITAS_PORTAL_EXCHANGE_URL=http://127.0.0.1:${http_ports[3]}"
        CIVITAS_PORTAL_EXCHANGE_CLIENT=CVT/GOV/70000003/stats)
    xn_start national "$national" "$national_port" "${XN_NATIONAL_ENV[@]}" || {
        xn_stop_all
        return
    }
    for k in 1 2 3; do
        XN_NODE_ENV[k]="CIVITAS_BLOCKS=exchange CIVITAS_EXCHANGE_NODE=CVT/GOV/7000000$k/node$k"
        XN_NODE_ENV[k]+=" CIVITAS_EXCHANGE_REGISTRY_URL=http://127.0.0.1:$national_port"
        XN_NODE_ENV[k]+=" CIVITAS_EXCHANGE_PORT=${tls_ports[k]} CIVITAS_EXCHANGE_TIMESTAMP_INTERVAL_SECONDS=2"
        XN_NODE_ENV[k]+=" CIVITAS_EXCHANGE_UNSTAMPED_LIMIT_SECONDS=8"
        # shellcheck disable=SC2086 # the variables are words
        xn_start "node$k" "$dir/node$k" "${http_ports[k]}" ${XN_NODE_ENV[k]} || {
            xn_stop_all
            return
        }
    done
    exchange_node_calls "$dir" "${http_ports[1]}" "${http_ports[2]}" "${http_ports[3]}" "${tls_ports[1]}" \
        "$service"
    exchange_node_faults "$dir" "${http_ports[1]}" "${http_ports[2]}" "$national_port" "$tsa_port" "$service"
    xn_stop_all
}

# xn_peak_rss PID: the process's peak resident set so far, in KiB (VmHWM).
xn_peak_rss() {
    sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

# A 48 MiB body through both nodes and the backend and back: it arrives whole, each node logs it as a file of its
# log's, and neither node's peak memory grows by anything like the body (each hop spools it). One byte over the
# 64 MiB a message may have is refused at the client node with the limit named, and leaves nothing in its spool.
exchange_node_large_body() {
    local dir="$1" p2="$2" service="$3" code
    # A first, smaller body warms up what any call of that size needs (buffers, the allocator's arenas); the larger
    # one must then add little: held whole, it would add at least its own size.
    head -c $((16 << 20)) /dev/urandom >"$dir/large.bin"
    code="$(xn_call "$p2" "/r1/$service/documents" CVT/GOV/70000002/tax -X POST -H 'X-Road-Id: warm-up' \
        -H 'Content-Type: application/octet-stream' --data-binary "@$dir/large.bin")"
    cmp -s "$dir/large.bin" "$dir/body" || fail "a 16 MiB body passes both nodes" "status $code"
    head -c $((48 << 20)) /dev/urandom >"$dir/large.bin"
    local before1 before2 after1 after2
    before1="$(xn_peak_rss "$XN_PID_node1")" before2="$(xn_peak_rss "$XN_PID_node2")"
    code="$(xn_call "$p2" "/r1/$service/documents" CVT/GOV/70000002/tax -X POST -H 'X-Road-Id: large-body' \
        -H 'Content-Type: application/octet-stream' --data-binary "@$dir/large.bin")"
    after1="$(xn_peak_rss "$XN_PID_node1")" after2="$(xn_peak_rss "$XN_PID_node2")"
    if [[ "$code" == 200 ]] && cmp -s "$dir/large.bin" "$dir/body"; then
        pass "a 48 MiB body passes both nodes to the backend and comes back byte for byte"
    else
        fail "a 48 MiB body passes both nodes and comes back" "status $code" "$(head -c 300 "$dir/body")"
    fi
    local grown=$(((after1 - before1 > after2 - before2 ? after1 - before1 : after2 - before2) / 1024))
    if ((grown < 16)); then
        pass "after a 16 MiB one, neither node's peak memory grew by 16 MiB for it (at most $grown MiB): it was spooled"
    else
        fail "the nodes stream the 48 MiB body" "peak memory grew by $grown MiB (node1 $before1 -> $after1 KiB," \
            "node2 $before2 -> $after2 KiB)"
    fi
    local side files
    for side in 1 2; do
        files="$(xn_sql "$dir/node$side" "SELECT COUNT(*) FROM exchange_log_bodies b JOIN exchange_log_records r
            ON r.seq = b.seq WHERE r.message_id = 'large-body' AND b.file_name IS NOT NULL")"
        if [[ "$files" == 2 ]] && cmp -s "$dir/large.bin" "$dir/node$side/exchange/message-log-bodies/$(xn_sql \
            "$dir/node$side" "SELECT b.file_name FROM exchange_log_bodies b JOIN exchange_log_records r
            ON r.seq = b.seq WHERE r.message_id = 'large-body' AND r.direction = 'request'")"; then
            pass "node$side logged the request and the response with their bodies as files of its log's"
        else
            fail "node$side logs the large bodies as files" "files: $files"
        fi
    done
    head -c $(((64 << 20) + 1)) /dev/zero >"$dir/large.bin"
    code="$(xn_call "$p2" "/r1/$service/documents" CVT/GOV/70000002/tax -X POST \
        -H 'Content-Type: application/octet-stream' --data-binary "@$dir/large.bin")"
    if [[ "$code" == 400 && "$(xn_header x-road-error)" == Client.BadRequest ]] && grep -q "67108864" "$dir/body" \
        && [[ -z "$(ls -A "$dir/node2/exchange/spool")" ]]; then
        pass "a body one byte over the 64 MiB limit is Client.BadRequest naming the limit, and leaves no spool file"
    else
        fail "a body over the limit is refused" "status $code" "$(head -c 300 "$dir/body")" \
            "$(ls "$dir/node2/exchange/spool")"
    fi
    rm -f "$dir/large.bin"
}

# xn_sql DATA SQL: one value from a node's SQLite database.
xn_sql() {
    python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
print(db.execute(sys.argv[2]).fetchone()[0])' "$1/civitas.sqlite" "$2"
}

# xn_wait_status SECONDS STATUS PORT PATH CLIENT: repeats the call until it answers STATUS.
xn_wait_status() {
    local seconds="$1" want="$2" port="$3" path="$4" client="$5" code=""
    local deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        code="$(xn_call "$port" "$path" "$client")"
        [[ "$code" == "$want" ]] && return 0
        sleep 0.5
    done
    return 1
}

exchange_node_faults() {
    local dir="$1" p1="$2" p2="$3" national_port="$4" tsa_port="$5" service="$6"
    local path="/r1/$service/persons/38001085718" code tax=CVT/GOV/70000002/tax

    # The TSA is cut: messages keep flowing, then the node refuses and says why; back, all is stamped.
    kill -TERM "$XN_TSA_PATH" 2>/dev/null || true
    wait "$XN_TSA_PATH" 2>/dev/null || true
    local started=$SECONDS
    code="$(xn_call "$p2" "$path" "$tax" -H "X-Road-Id: during-outage")"
    [[ "$code" == 200 ]] && pass "with the TSA cut, messages keep flowing" ||
        fail "with the TSA cut, messages keep flowing" "status $code" "$(head -c 300 "$dir/body")"
    sleep $((started + 10 - SECONDS)) || true
    code="$(xn_call "$p2" "$path" "$tax")"
    if [[ "$code" == 500 && "$(xn_header x-road-error)" == *LoggingFailed ]] \
        && xn_json '"time-stamping has failed" in b["message"]'; then
        pass "past the unstamped limit the node refuses new messages and says time-stamping has failed"
    else
        fail "past the unstamped limit the node refuses" "status $code" "$(head -c 300 "$dir/body")"
    fi
    python3 "$ROOT/scripts/lib/system/tcp_forward.py" "$tsa_port" "$national_port" >/dev/null 2>&1 &
    XN_TSA_PATH=$!
    XN_PIDS+=("$XN_TSA_PATH")
    if xn_wait_status 30 200 "$p2" "$path" "$tax"; then
        pass "once the TSA is back, messages are accepted again"
    else
        fail "once the TSA is back, messages are accepted again" "$(head -c 300 "$dir/body")"
    fi
    local deadline=$((SECONDS + 20)) pending1 pending2
    while ((SECONDS < deadline)); do
        pending1="$(xn_sql "$dir/node1" "SELECT COUNT(*) FROM exchange_log_pending")"
        pending2="$(xn_sql "$dir/node2" "SELECT COUNT(*) FROM exchange_log_pending")"
        [[ "$pending1" == 0 && "$pending2" == 0 ]] && break
        sleep 0.5
    done
    if [[ "$pending1" == 0 && "$pending2" == 0 ]] &&
        timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange log export during-outage --data "$dir/node2" \
            --log-level warning --out "$dir/outage.der" >/dev/null 2>&1 &&
        timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange verify "$dir/outage.der" --ca "$dir/pki/root-ca.pem" \
            >/dev/null 2>&1; then
        pass "after the outage every record on both nodes is time-stamped; the outage's evidence verifies"
    else
        fail "after the outage every record is time-stamped" "pending: node1 $pending1, node2 $pending2"
    fi

    # The provider node is killed under load: every call that was answered is in both logs after the restart.
    python3 "$ROOT/scripts/lib/system/exchange_load.py" "http://127.0.0.1:$p2$path" "$tax" 6 4 \
        "$dir/answered" >"$dir/load.out" 2>&1 &
    local load=$!
    sleep 2
    kill -KILL "$XN_PID_node1" 2>/dev/null || true
    wait "$XN_PID_node1" 2>/dev/null || true
    wait "$load" || true
    # shellcheck disable=SC2086 # the variables are words
    if xn_start node1-restarted "$dir/node1" "$p1" ${XN_NODE_ENV[1]}; then
        local missing
        missing="$(python3 -c 'import sqlite3, sys
answered = [l.strip() for l in open(sys.argv[1]) if l.strip()]
missing = []
for data in sys.argv[2:]:
    db = sqlite3.connect(data + "/civitas.sqlite", timeout=10)
    for query in answered:
        kinds = {r[0] for r in db.execute("SELECT direction FROM exchange_log_records WHERE message_id = ?", (query,))}
        if kinds != {"request", "response"}:
            missing.append(f"{data}: {query} {sorted(kinds)}")
print(len(answered), len(missing), *missing[:3])' "$dir/answered" "$dir/node1" "$dir/node2")"
        if [[ "${missing%% *}" -gt 0 && "$(echo "$missing" | cut -d' ' -f2)" == 0 ]]; then
            pass "provider SIGKILLed under load: all ${missing%% *} answered calls are in both logs after the restart"
        else
            fail "provider SIGKILLed under load: every answered call is in both logs" "$missing" "$(cat "$dir/load.out")"
        fi
    fi

    # node2's seal is revoked: node1 refuses its requests within the OCSP freshness limit (8 s here).
    xn_wait_status 20 200 "$p2" "$path" "$tax" || true
    xn_cli "pki revoke node2's seal" pki revoke --data "$dir/national" --log-level warning \
        --issuer organisations-ca --serial "$(cat "$dir/keys2/seal.serial")" --reason keyCompromise || return
    local revoked_at=$SECONDS
    if xn_wait_status 20 500 "$p2" "$path" "$tax" && [[ "$(xn_header x-road-error)" == *InvalidSignatureValue ]] \
        && xn_json '"revoked" in b["message"].lower()'; then
        pass "a node whose seal is revoked is refused within $((SECONDS - revoked_at)) s (OCSP freshness 8 s)"
    else
        fail "a node whose seal is revoked is refused" "$(head -c 300 "$dir/body")"
    fi

    # The registry is gone past the configuration's validity: the node refuses to exchange, and says why.
    kill -TERM "$XN_PID_national" 2>/dev/null || true
    wait "$XN_PID_national" 2>/dev/null || true
    if xn_wait_status 40 500 "$p1" "/r1/CVT/listClients" "" && [[ "$(xn_header x-road-error)" == *OutdatedGlobalConf ]] \
        && xn_json '"expired" in b["message"]'; then
        pass "with the registry gone past the configuration's validity, the node refuses with OutdatedGlobalConf"
    else
        fail "an expired configuration stops the node" "$(head -c 300 "$dir/body")"
    fi
}

exchange_node_calls() {
    local dir="$1" p1="$2" p2="$3" p3="$4" tls1="$5" service="$6"
    local path="/r1/$service/persons/38001085718" code
    # The nodes download the configuration as they start; the first call may come before it.
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        code="$(xn_call "$p2" "$path" CVT/GOV/70000002/tax -H "X-Road-Id: first-call" \
            -H "X-Road-UserId: CV38001085718" -H "X-Road-Issue: case 2026/77")"
        [[ "$code" == 200 ]] && break
        grep -q "OutdatedGlobalConf" "$dir/headers" || break
        sleep 0.5
    done
    if [[ "$code" == 200 ]] && xn_json 'b["personalNumber"] == "38001085718" and b["givenName"] == "ნინო"' \
        && [[ -n "$(xn_header x-road-request-hash)" && "$(xn_header x-road-id)" == first-call ]]; then
        pass "an allowed call passes client node -> provider node -> backend, with X-Road-Request-Hash"
    else
        fail "an allowed call passes end to end" "status $code" "$(head -c 400 "$dir/body")" \
            "$(tail -n 5 "$dir/node1.log")"
    fi
    if grep -q '"path": "/api/persons/38001085718", "client": "CVT/GOV/70000002/tax", "id": "first-call", "user": "CV38001085718", "issue": "case 2026/77"' \
        "$dir/backend.log"; then
        pass "the backend got the path after the service code and the X-Road headers"
    else
        fail "the backend got the path and the X-Road headers" "$(tail -n 3 "$dir/backend.log")"
    fi

    if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange usage --data "$dir/node1" --log-level warning \
        --subject 38001085718 >"$dir/usage" 2>&1 \
        && grep -q "CVT/GOV/70000002/tax.*CV38001085718.*case 2026/77.*first-call" "$dir/usage"; then
        pass "the provider's data tracker shows who read the person's data, who asked and why"
    else
        fail "the provider's data tracker shows the use" "$(head -n 3 "$dir/usage")"
    fi
    # The same record, asked for by the portal's subsystem through its own node, in GovStack's shape.
    local usage_path="/r1/CVT/GOV/70000001/population/myPersonalDataUsage?userId=38001085718"
    code="$(xn_call "$p3" "$usage_path" CVT/GOV/70000003/stats)"
    if [[ "$code" == 200 ]] && xn_json '(len(b) == 1 and b[0]["id"] == "first-call" and b[0]["readerId"] == "CV38001085718"
        and b[0]["readerInstitutionId"] == "CVT/GOV/70000002" and b[0]["readerApplicationName"] == "CVT/GOV/70000002/tax"
        and b[0]["readerInstitutionName"] and b[0]["purpose"] == "case 2026/77"
        and b[0]["refrences"] == [{"ReferenceID": "first-call"}] and b[0]["searchDateTime"].endswith("Z"))'; then
        pass "myPersonalDataUsage answers the permitted subsystem with who read the person's data, in GovStack's shape"
    else
        fail "myPersonalDataUsage answers the permitted subsystem" "status $code" "$(head -c 400 "$dir/body")"
    fi
    code="$(xn_call "$p2" "$usage_path" CVT/GOV/70000002/tax)"
    if [[ "$code" == 500 && "$(xn_header x-road-error)" == Server.ServerProxy.AccessDenied ]] \
        && ! grep -q "CV38001085718" "$dir/body"; then
        pass "myPersonalDataUsage is denied to a subsystem without the right, and shows it nothing"
    else
        fail "myPersonalDataUsage is denied without the right" "status $code" "$(head -c 300 "$dir/body")"
    fi
    # The citizen reads it on the portal: the national node gathers every provider's list through node 3.
    if [[ -n "$XN_CITIZEN" ]]; then
        code="$(xn_call "$p2" "/r1/$service/persons/$XN_CITIZEN_NUMBER" CVT/GOV/70000002/tax \
            -H "X-Road-Id: citizen-read" -H "X-Road-UserId: CV38001085718" -H "X-Road-Issue: case 2026/78")"
        if [[ "$code" == 200 ]] && "$ROOT/.venv/bin/python" "$ROOT/scripts/lib/system/data_usage_page.py" \
            "http://127.0.0.1:$XN_NATIONAL_PORT" "$XN_CITIZEN" "civitas demo country 2026" "Revenue Service" \
            "CVT/GOV/70000002/tax" "case 2026/78" "citizen-read" >"$dir/page.out" 2>&1; then
            pass "the citizen's page (in Georgian) lists who read their data at the provider, gathered through the exchange"
        else
            fail "the citizen's page lists who read their data" "status $code" "$(tail -n 3 "$dir/page.out")"
        fi
    fi
    code="$(xn_call "$p3" "/r1/CVT/listClients?serviceCode=myPersonalDataUsage" "")"
    if [[ "$code" == 200 ]] && xn_json 'len(b["member"]) == 1 and b["member"][0]["id"]["applicationCode"] == "population"'; then
        pass "listClients?serviceCode=myPersonalDataUsage names only the provider that offers it"
    else
        fail "listClients?serviceCode= names the provider" "status $code" "$(head -c 300 "$dir/body")"
    fi
    code="$(xn_call "$p3" "$path" CVT/GOV/70000003/stats)"
    if [[ "$code" == 500 && "$(xn_header x-road-error)" == Server.ServerProxy.AccessDenied ]] \
        && xn_json 'b["type"] == "Server.ServerProxy.AccessDenied" and "may not" in b["message"] and b["detail"]'; then
        pass "a client without rights gets Server.ServerProxy.AccessDenied as {type, message, detail}"
    else
        fail "a client without rights gets AccessDenied" "status $code" "$(head -c 300 "$dir/body")"
    fi
    if ! grep -q '"client": "CVT/GOV/70000003/stats"' "$dir/backend.log"; then
        pass "the refused call never reached the backend"
    else
        fail "the refused call never reached the backend"
    fi
    code="$(xn_call "$p2" "/r1/$service/echo" CVT/GOV/70000002/tax -X POST -H 'Content-Type: text/plain' \
        --data-binary 'hello')"
    if [[ "$code" == 500 && "$(xn_header x-road-error)" == Server.ServerProxy.AccessDenied ]]; then
        pass "a method and path the right does not cover is denied (POST /echo with a GET /persons/* right)"
    else
        fail "a method the right does not cover is denied" "status $code"
    fi
    exchange_node_large_body "$dir" "$p2" "$service"
    code="$(xn_call "$p2" "$path" "")"
    if [[ "$code" == 400 && "$(xn_header x-road-error)" == Client.BadRequest ]] && xn_json '"X-Road-Client" in b["message"]'
    then
        pass "a call without X-Road-Client is Client.BadRequest naming the header"
    else
        fail "a call without X-Road-Client is Client.BadRequest" "status $code" "$(head -c 300 "$dir/body")"
    fi
    code="$(xn_call "$p2" "/r1/CVT/GOV/70000001/popul%2Fation/persons" CVT/GOV/70000002/tax)"
    [[ "$code" == 400 ]] && pass "an encoded / in an identifier is Client.BadRequest" ||
        fail "an encoded / in an identifier is Client.BadRequest" "status $code"
    code="$(xn_call "$p2" "$path" CVT/GOV/70000001/population)"
    if [[ "$code" == 500 && "$(xn_header x-road-error)" == Server.ClientProxy.UnknownMember ]]; then
        pass "a client that is not this node's is refused at the client node"
    else
        fail "a client that is not this node's is refused" "status $code" "$(head -c 300 "$dir/body")"
    fi

    # Metadata services.
    code="$(xn_call "$p2" /r1/CVT/listClients "")"
    if [[ "$code" == 200 ]] && xn_json 'len(b["member"]) == 6 and any(m["id"].get("subsystemCode") == "tax" for m in b["member"])'
    then
        pass "listClients lists the three members and their subsystems"
    elif [[ "$code" == 200 ]] && xn_json 'len(b["member"]) == 6'; then
        pass "listClients lists the three members and their subsystems"
    else
        fail "listClients lists the members" "status $code" "$(head -c 400 "$dir/body")"
    fi
    code="$(xn_call "$p2" /r1/CVT/GOV/70000001/population/listMethods CVT/GOV/70000002/tax)"
    if [[ "$code" == 200 ]] && xn_json 'b["member"][0]["serviceCode"] == "persons" and len(b["member"][0]["endpointList"]["member"]) == 2'
    then
        pass "listMethods lists the provider's service with its two endpoints"
    else
        fail "listMethods lists the service" "status $code" "$(head -c 400 "$dir/body")"
    fi
    code="$(xn_call "$p2" /r1/CVT/GOV/70000001/population/allowedMethods CVT/GOV/70000002/tax)"
    if [[ "$code" == 200 ]] \
        && xn_json 'b["member"][0]["endpointList"]["member"] == [{"method": "POST", "path": "/documents"},
            {"method": "GET", "path": "/persons/*"}]'; then
        pass "allowedMethods shows the client the two endpoints its rights cover"
    else
        fail "allowedMethods shows the client its endpoint" "status $code" "$(head -c 400 "$dir/body")"
    fi
    code="$(xn_call "$p3" /r1/CVT/GOV/70000001/population/allowedMethods CVT/GOV/70000003/stats)"
    if [[ "$code" == 200 ]] && xn_json 'b["member"] == []'; then
        pass "allowedMethods is empty for a client without rights"
    else
        fail "allowedMethods is empty for a client without rights" "status $code" "$(head -c 400 "$dir/body")"
    fi
    code="$(xn_call "$p2" "/r1/CVT/GOV/70000001/population/getOpenAPI?serviceCode=persons" CVT/GOV/70000002/tax)"
    if [[ "$code" == 200 ]] && xn_json 'b["info"]["title"] == "Persons"'; then
        pass "getOpenAPI returns the service's description"
    else
        fail "getOpenAPI returns the description" "status $code" "$(head -c 300 "$dir/body")"
    fi

    # A caller with a certificate nobody registered is refused in the handshake.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=impostor" -days 1 \
        -keyout "$dir/impostor.key" -out "$dir/impostor.pem" >/dev/null 2>&1
    if printf 'POST /exchange/v1/message HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' |
        timeout 10 openssl s_client -connect "127.0.0.1:$tls1" -cert "$dir/impostor.pem" -key "$dir/impostor.key" \
            -CAfile "$dir/pki/root-ca.pem" -quiet >"$dir/impostor.out" 2>&1 && grep -q "HTTP/1.1" "$dir/impostor.out"
    then
        fail "a caller with an unregistered certificate is refused in the TLS handshake" "$(head -n 3 "$dir/impostor.out")"
    else
        pass "a caller with an unregistered certificate is refused in the TLS handshake (openssl s_client)"
    fi

    # Both logs hold the call; once stamped, the evidence verifies offline, and one byte changed fails.
    sleep 5
    local side data
    for side in 1 2; do
        data="$dir/node$side"
        if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange log export first-call --data "$data" --log-level warning \
            --out "$dir/evidence$side.der" >"$dir/out" 2>&1 &&
            timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange verify "$dir/evidence$side.der" \
                --ca "$dir/pki/root-ca.pem" >"$dir/verify$side" 2>&1; then
            pass "node$side's log holds the call; its evidence verifies offline"
        else
            fail "node$side's log holds the call and its evidence verifies" "$(tail -n 4 "$dir/out")" \
                "$(tail -n 4 "$dir/verify$side" 2>/dev/null)"
            continue
        fi
        python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1; open(p + ".bad", "wb").write(b)' \
            "$dir/evidence$side.der"
        if timeout 60 "${CLEAN_ENV[@]}" "$BINARY" exchange verify "$dir/evidence$side.der.bad" \
            --ca "$dir/pki/root-ca.pem" >/dev/null 2>&1; then
            fail "node$side's evidence with one byte changed fails verification"
        else
            pass "node$side's evidence with one byte changed fails verification"
        fi
    done
}
