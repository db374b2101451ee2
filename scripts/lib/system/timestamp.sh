# shellcheck shell=bash
#
# `civitas ts`, the RFC 3161 client, against the live node's /tsa, checked with openssl ts. Sourced by
# scripts/lib/system-tests.sh, whose pass, fail, free_port, CLEAN_ENV, BINARY, WORK and SERVER_PORT it uses; call
# timestamp_client_tests while a node serves (after pki_tests has exported the hierarchy to $WORK/pki).

# ts_run NAME OUT ARGS...: runs `civitas ARGS` with a clean environment; sets TS_RC.
ts_run() {
    local out="$1"
    shift
    TS_RC=0
    timeout 60 "${CLEAN_ENV[@]}" "$BINARY" "$@" </dev/null >"$out" 2>&1 || TS_RC=$?
}

timestamp_client_tests() {
    local pki="$WORK/pki" dir="$WORK/ts-client" url="http://127.0.0.1:$SERVER_PORT/tsa" out
    mkdir -p "$dir"
    cat "$pki/tsa.pem" "$pki/organisations-ca.pem" >"$dir/tsa-chain.pem"
    printf 'Decision 2026/117 of the Civil Registry Agency\n' >"$dir/document.txt"
    printf 'Decision 2026/118 of the Civil Registry Agency\n' >"$dir/changed.txt"

    # Our client's query and reply, verified by openssl.
    out="$dir/request.out"
    ts_run "$out" ts request --url "$url" --data "$dir/document.txt" --out "$dir/ours.tsr" \
        --query-out "$dir/ours.tsq"
    if [[ $TS_RC -eq 0 ]] && grep -q "^granted: genTime" "$out"; then
        pass "civitas ts request gets a granted reply from /tsa"
    else
        fail "civitas ts request gets a granted reply from /tsa" "exit $TS_RC" "$(cat "$out")"
    fi
    if openssl ts -verify -queryfile "$dir/ours.tsq" -in "$dir/ours.tsr" -CAfile "$pki/root-ca.pem" \
        -untrusted "$dir/tsa-chain.pem" >"$dir/openssl.out" 2>&1 && grep -q "Verification: OK" "$dir/openssl.out" &&
        openssl ts -verify -data "$dir/document.txt" -in "$dir/ours.tsr" -CAfile "$pki/root-ca.pem" \
            -untrusted "$dir/tsa-chain.pem" 2>&1 | grep -q "Verification: OK"; then
        pass "openssl ts -verify accepts the reply civitas ts request saved (-queryfile and -data)"
    else
        fail "openssl ts -verify accepts the reply civitas ts request saved" "$(cat "$dir/openssl.out")"
    fi
    out="$dir/verify-ours.out"
    ts_run "$out" ts verify --in "$dir/ours.tsr" --data "$dir/document.txt" --ca "$pki/root-ca.pem"
    if [[ $TS_RC -eq 0 ]] && grep -q "^genTime: " "$out" && grep -q "^serial: " "$out" &&
        grep -q "^policy: 2.999.1.100" "$out" && grep -q "^TSA: " "$out"; then
        pass "civitas ts verify --data prints genTime, serial, policy and TSA"
    else
        fail "civitas ts verify --data prints genTime, serial, policy and TSA" "exit $TS_RC" "$(cat "$out")"
    fi
    out="$dir/show.out"
    ts_run "$out" ts show --in "$dir/ours.tsr"
    if [[ $TS_RC -eq 0 ]] && grep -q "^status: granted" "$out" && grep -q "^nonce: [0-9a-f]" "$out"; then
        pass "civitas ts show prints the reply's fields"
    else
        fail "civitas ts show prints the reply's fields" "exit $TS_RC" "$(cat "$out")"
    fi

    # openssl's query, answered by the node, verified by our client against that query.
    openssl ts -query -data "$dir/document.txt" -sha384 -cert -out "$dir/openssl.tsq" 2>/dev/null
    curl -s --max-time 10 -H 'Content-Type: application/timestamp-query' --data-binary "@$dir/openssl.tsq" \
        -o "$dir/openssl.tsr" "$url" || true
    out="$dir/verify-query.out"
    ts_run "$out" ts verify --in "$dir/openssl.tsr" --query "$dir/openssl.tsq" --ca "$pki/root-ca.pem"
    if [[ $TS_RC -eq 0 ]] && grep -q "Verification: OK" "$out"; then
        pass "civitas ts verify --query accepts the reply to an openssl ts -query query"
    else
        fail "civitas ts verify --query accepts the reply to an openssl ts -query query" "exit $TS_RC" "$(cat "$out")"
    fi

    # A digest without nonce or certificate: the TSA certificate then comes from --untrusted.
    local digest
    digest="$(openssl dgst -sha512 -r "$dir/document.txt" | cut -d' ' -f1)"
    ts_run "$dir/digest.out" ts request --url "$url" --digest "$digest" --no-nonce --no-cert --policy 2.999.1.100 \
        --out "$dir/digest.tsr"
    out="$dir/verify-digest.out"
    ts_run "$out" ts verify --in "$dir/digest.tsr" --digest "$digest" --ca "$pki/root-ca.pem" \
        --untrusted "$dir/tsa-chain.pem"
    if [[ $TS_RC -eq 0 ]] && grep -q "Verification: OK" "$out"; then
        pass "civitas ts request --digest --no-nonce --no-cert, verified with the TSA certificate from --untrusted"
    else
        fail "civitas ts request --digest --no-nonce --no-cert, verified with --untrusted" "exit $TS_RC" \
            "$(cat "$dir/digest.out" "$out")"
    fi

    # Refusals: a changed file, a root that did not certify the TSA, and a TSA nobody runs.
    out="$dir/verify-changed.out"
    ts_run "$out" ts verify --in "$dir/ours.tsr" --data "$dir/changed.txt" --ca "$pki/root-ca.pem"
    if [[ $TS_RC -eq 1 ]] && grep -q "Verification: FAILED: imprintMismatch" "$out"; then
        pass "civitas ts verify on a changed file exits 1 with the reason"
    else
        fail "civitas ts verify on a changed file exits 1 with the reason" "exit $TS_RC" "$(cat "$out")"
    fi
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/other.key" \
        -subj "/CN=Some Other Root" -days 2 -out "$dir/other-root.pem" >/dev/null 2>&1
    out="$dir/verify-other-root.out"
    ts_run "$out" ts verify --in "$dir/ours.tsr" --data "$dir/document.txt" --ca "$dir/other-root.pem"
    if [[ $TS_RC -eq 1 ]] && grep -q "Verification: FAILED: untrustedSigner" "$out"; then
        pass "civitas ts verify against another root exits 1 (untrusted signer)"
    else
        fail "civitas ts verify against another root exits 1 (untrusted signer)" "exit $TS_RC" "$(cat "$out")"
    fi
    local closed
    closed="$(free_port)"
    out="$dir/refused.out"
    ts_run "$out" ts request --url "http://127.0.0.1:$closed/tsa" --data "$dir/document.txt" \
        --out "$dir/refused.tsr"
    if [[ $TS_RC -ne 0 && $TS_RC -ne 124 ]] && grep -q "could not reach the TSA at http://127.0.0.1:$closed/tsa" "$out" &&
        ! grep -q -E '^Fatal error|Stack dump' "$out" && [[ ! -e "$dir/refused.tsr" ]]; then
        pass "civitas ts request to a port nobody listens on exits $TS_RC naming the URL"
    else
        fail "civitas ts request to a port nobody listens on fails clearly" "exit $TS_RC" "$(cat "$out")"
    fi
}
