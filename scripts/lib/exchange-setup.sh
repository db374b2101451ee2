#!/usr/bin/env bash
# shellcheck shell=bash
#
# Sets up an exchange instance with the CLI only, as operators would: a national node (PKI and central
# registry) in DIR/national, and member nodes DIR/node1 … DIR/nodeN, each of which makes its own keys and
# PKCS#10 requests, gets its certificates from the PKI, imports them, and is registered with its address.
# Member k is CVT/GOV/7000000k with one subsystem (population, tax, stats, then sub4 …); member 1 provides
# EXCHANGE_SETUP_SERVICE from BACKEND_URL, which member 2's subsystem may call with GET /persons/*.
# Used by the system tests and by scripts/bench.
#
#     exchange_setup DIR BACKEND_URL NODE_ADDRESS...     (BINARY names the civitas binary)
#
# On failure it names the step and its error on stderr and returns 1. Leaves the PKI's PEM files in DIR/pki,
# each node's certificates in DIR/keysK, and the serial of node K's seal in DIR/keysK/seal.serial.

EXCHANGE_SETUP_SERVICE="CVT/GOV/70000001/population/persons"

# exchange_setup_cli STEP ARGS...: runs the CLI; on failure prints the step and the error.
exchange_setup_cli() {
    local step="$1"
    shift
    if timeout 120 "${CLEAN_ENV[@]:-env}" "$BINARY" "$@" --log-level warning </dev/null >"$EXCHANGE_SETUP_DIR/out" \
        2>"$EXCHANGE_SETUP_DIR/err"; then
        return 0
    fi
    echo "exchange setup: $step failed: $(tail -n 3 "$EXCHANGE_SETUP_DIR/err")" >&2
    return 1
}

exchange_setup() {
    local dir="$1" backend="$2"
    shift 2
    EXCHANGE_SETUP_DIR="$dir"
    local national="$dir/national" names=("" "Civil Registry" "Revenue Service" "Statistics Office")
    local subsystems=("" population tax stats) k=0 address
    exchange_setup_cli "pki init" pki init --data "$national" || return 1
    exchange_setup_cli "pki export" pki export --data "$national" --out "$dir/pki" || return 1
    for address in "$@"; do
        k=$((k + 1))
        local member="CVT/GOV/7000000$k" node="CVT/GOV/7000000$k/node$k" keys="$dir/keys$k"
        local name="${names[k]:-Agency $k}" subsystem="${subsystems[k]:-sub$k}"
        exchange_setup_cli "member add $k" exchange member add --data "$national" --id "$member" --name "$name" ||
            return 1
        exchange_setup_cli "subsystem add $k" exchange subsystem add --data "$national" --id "$member/$subsystem" ||
            return 1
        exchange_setup_cli "keys create $k" exchange keys create --data "$dir/node$k" --node "$node" \
            --organisation "$name" --out "$keys" || return 1
        exchange_setup_cli "pki issue tls-node $k" pki issue --data "$national" --profile tls-node \
            --csr "$keys/authentication.csr" --out "$keys/authentication.pem" || return 1
        exchange_setup_cli "pki issue organisation-seal $k" pki issue --data "$national" --profile organisation-seal \
            --csr "$keys/seal.csr" --out "$keys/seal.pem" || return 1
        # "issued organisations-ca/SERIAL to …"
        sed -n 's|^issued organisations-ca/\([0-9a-f]*\) .*|\1|p' "$dir/out" >"$keys/seal.serial"
        exchange_setup_cli "keys import $k" exchange keys import --data "$dir/node$k" \
            --authentication "$keys/authentication.pem" --seal "$keys/seal.pem" \
            --ca "$dir/pki/organisations-ca.pem" --trust-anchor "$dir/pki/root-ca.pem" || return 1
        exchange_setup_cli "node add $k" exchange node add --data "$national" --id "$node" --address "$address" \
            --certificate "$keys/authentication.pem" --serves "$member/$subsystem" || return 1
    done
    printf '%s' '{"openapi":"3.0.3","info":{"title":"Persons","version":"1"},"paths":{"/persons/{number}":{"get":{"responses":{"200":{"description":"the person"}}}},"/echo":{"post":{"responses":{"200":{"description":"the body"}}}}}}' \
        >"$dir/persons.json"
    exchange_setup_cli "service add" exchange service add --data "$national" --id "$EXCHANGE_SETUP_SERVICE" \
        --title "Persons" --openapi "$dir/persons.json" || return 1
    exchange_setup_cli "access add" exchange access add --data "$national" --client CVT/GOV/70000002/tax \
        --service "$EXCHANGE_SETUP_SERVICE" --method GET --path "/persons/*" || return 1
    exchange_setup_cli "access add documents" exchange access add --data "$national" --client CVT/GOV/70000002/tax \
        --service "$EXCHANGE_SETUP_SERVICE" --method POST --path "/documents" || return 1
    exchange_setup_cli "provide add" exchange provide add --data "$dir/node1" --service "$EXCHANGE_SETUP_SERVICE" \
        --backend "$backend" --title "Persons" --openapi "$dir/persons.json" || return 1
}
