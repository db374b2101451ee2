#!/usr/bin/env bash
# shellcheck shell=bash
#
# Checks of the validation service (`civitas verify` and POST /validation/signatures) on signatures that
# openssl made, on certificates that Python's `cryptography` made, and on our own seals. Sourced by
# scripts/lib/system-tests.sh, whose helpers (pass, fail, expect_ok, http, CLEAN_ENV, split_at_dashes) it uses.

# verify_expect NAME STATUS TEXT ARGS...: `civitas verify ARGS...` exits STATUS and prints TEXT.
verify_expect() {
    local name="$1" want="$2" text="$3"
    shift 3
    local out="$WORK/verify.out" rc=0
    "$BINARY" verify "$@" </dev/null >"$out" 2>&1 || rc=$?
    if [[ $rc -eq $want ]] && grep -qF -- "$text" "$out"; then
        pass "civitas verify: $name"
    else
        fail "civitas verify: $name" "exit $rc (wanted $want), wanted \"$text\" in:" "$(cat "$out")"
    fi
}

# fetch_crls DIR: the live node's CRLs of both issuing CAs and the root, as DER files in DIR.
fetch_crls() {
    local dir="$1" name
    for name in root-ca citizens-ca organisations-ca; do
        curl -sf "http://127.0.0.1:$SERVER_PORT/crl/$name.crl" -o "$dir/$name.crl" || return 1
    done
}

# validation_tests DATA [VAR=VALUE...]: needs the node serving DATA (for CRLs and the API), and pki_tests run.
validation_tests() {
    local data="$1"
    shift
    local pki="$WORK/pki" v="$WORK/validation"
    rm -rf "$v"
    mkdir -p "$v"
    openssl ecparam -name prime256v1 -genkey -noout -out "$v/signer.key" 2>/dev/null
    openssl req -new -key "$v/signer.key" -subj "/CN=Tamar Gelashvili/serialNumber=PNOGE-01001011116" \
        -out "$v/signer.csr" 2>/dev/null
    expect_ok "civitas pki issue a signer for validation" "$@" -- "$BINARY" pki issue --data "$data" \
        --log-level warning --profile citizen-qualified-signature --csr "$v/signer.csr" --out "$v/signer.pem"
    printf 'Power of attorney 2026-77\n' >"$v/document.txt"
    printf 'Power of attorney 2026-78\n' >"$v/changed.txt"
    if ! openssl cms -sign -binary -in "$v/document.txt" -signer "$v/signer.pem" -inkey "$v/signer.key" \
        -certfile "$pki/chain.pem" -md sha256 -cades -outform DER -out "$v/openssl.p7s" >"$v/sign.out" 2>&1; then
        fail "openssl cms -sign -cades makes a signature" "$(cat "$v/sign.out")"
        return
    fi
    fetch_crls "$v" || { fail "fetch the CRLs of the root and both issuing CAs"; return; }
    local crls=(--crl "$v/root-ca.crl" --crl "$v/citizens-ca.crl" --crl "$v/organisations-ca.crl")
    # The issuing CAs' own certificates point at the root's CRL and OCSP: both answer.
    if openssl crl -inform DER -in "$v/root-ca.crl" -CAfile "$pki/root-ca.pem" -noout >"$v/arl.out" 2>&1 &&
        openssl ocsp -issuer "$pki/root-ca.pem" -cert "$pki/citizens-ca.pem" -url "http://127.0.0.1:$SERVER_PORT/ocsp" \
            -CAfile "$pki/root-ca.pem" >>"$v/arl.out" 2>&1 && grep -q "citizens-ca.pem: good" "$v/arl.out"; then
        pass "the root's CRL verifies and its OCSP answer says the citizens CA is good"
    else
        fail "the root's CRL verifies and its OCSP answer says the citizens CA is good" "$(cat "$v/arl.out")"
    fi
    local trust=(--ca "$pki/root-ca.pem" --untrusted "$pki/chain.pem")

    verify_expect "openssl's CAdES signature with its CRLs is TOTAL-PASSED" 0 "document: TOTAL-PASSED" \
        --signature "$v/openssl.p7s" --document "$v/document.txt" "${trust[@]}" "${crls[@]}"
    verify_expect "a changed document is TOTAL-FAILED/HASH_FAILURE" 1 "TOTAL-FAILED/HASH_FAILURE" \
        --signature "$v/openssl.p7s" --document "$v/changed.txt" "${trust[@]}" "${crls[@]}"
    verify_expect "without revocation data it is INDETERMINATE/TRY_LATER" 2 "INDETERMINATE/TRY_LATER" \
        --signature "$v/openssl.p7s" --document "$v/document.txt" "${trust[@]}"
    verify_expect "the digest instead of the document" 0 "document: TOTAL-PASSED" \
        --signature "$v/openssl.p7s" --digest "$(sha256sum "$v/document.txt" | cut -d' ' -f1)" "${trust[@]}" \
        "${crls[@]}"
    printf 'not a signature' >"$v/garbage.p7s"
    verify_expect "garbage is TOTAL-FAILED/FORMAT_FAILURE" 1 "TOTAL-FAILED/FORMAT_FAILURE" \
        --signature "$v/garbage.p7s" --document "$v/document.txt" "${trust[@]}"

    # civitas sign with a time-stamp from the node's TSA over HTTP: openssl accepts it, and our validator
    # finds the time-stamp and passes it.
    if "$BINARY" sign --key "$v/signer.key" --cert "$v/signer.pem" --chain "$pki/chain.pem" --level B-T \
        --tsa "http://127.0.0.1:$SERVER_PORT/tsa" --in "$v/document.txt" --out "$v/remote-tsa.p7s" \
        >"$v/sign-remote.out" 2>&1 &&
        openssl cms -verify -binary -inform DER -in "$v/remote-tsa.p7s" -content "$v/document.txt" \
            -CAfile "$pki/root-ca.pem" -purpose any -cades -out /dev/null >>"$v/sign-remote.out" 2>&1; then
        pass "civitas sign --tsa URL makes a B-T signature openssl accepts"
    else
        fail "civitas sign --tsa URL makes a B-T signature openssl accepts" "$(cat "$v/sign-remote.out")"
    fi
    verify_expect "civitas sign's B-T signature (TSA over HTTP) is TOTAL-PASSED with its time-stamp" 0 \
        "CAdES-BASELINE-T" --signature "$v/remote-tsa.p7s" --document "$v/document.txt" "${trust[@]}" "${crls[@]}"

    # The API answers the same, from the PKI's own records.
    "$ROOT/.venv/bin/python" - "$v/openssl.p7s" "$v/document.txt" >"$v/request.json" <<'PY'
import base64, json, sys
print(json.dumps({"signature": base64.b64encode(open(sys.argv[1], "rb").read()).decode(),
                  "document": base64.b64encode(open(sys.argv[2], "rb").read()).decode()}))
PY
    if curl -sf -H 'Content-Type: application/json' --data-binary "@$v/request.json" \
        "http://127.0.0.1:$SERVER_PORT/validation/signatures" -o "$v/report.json" &&
        "$ROOT/.venv/bin/python" -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r["signatures"][0]
assert r["indication"] == "TOTAL-PASSED", r
assert s["revocation"]["source"] == "national PKI" and s["signer"]["qualified"], s' "$v/report.json" 2>"$v/api.err"; then
        pass "POST /validation/signatures: openssl's signature is TOTAL-PASSED, qualified, status from the PKI"
    else
        fail "POST /validation/signatures: openssl's signature is TOTAL-PASSED" "$(cat "$v/report.json" "$v/api.err" 2>/dev/null)"
    fi

    # Certificates made by Python's cryptography: an expired signer, and a root nobody configured.
    if "$ROOT/.venv/bin/python" - "$v" <<'PY' >"$v/make.out" 2>&1; then
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
out = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def save(path, cert, key=None):
    open(f"{out}/{path}.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    if key: open(f"{out}/{path}.key", "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
root_key = ec.generate_private_key(ec.SECP256R1())
root = (x509.CertificateBuilder().subject_name(name("Outside Root")).issuer_name(name("Outside Root"))
    .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(days=3650)).not_valid_after(now + datetime.timedelta(days=3650))
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    .sign(root_key, hashes.SHA256()))
save("outside-root", root)
for label, start, end in [("expired", now - datetime.timedelta(days=800), now - datetime.timedelta(days=400)),
                          ("outsider", now - datetime.timedelta(days=1), now + datetime.timedelta(days=365))]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name(label.capitalize() + " Signer")).issuer_name(root.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(root_key, hashes.SHA256()))
    save(label, cert, key)
PY
        for label in expired outsider; do
            openssl cms -sign -binary -in "$v/document.txt" -signer "$v/$label.pem" -inkey "$v/$label.key" -md sha256 \
                -cades -outform DER -out "$v/$label.p7s" 2>"$v/sign.out" || fail "openssl signs with the $label certificate" "$(cat "$v/sign.out")"
        done
        verify_expect "a signer from a root nobody trusts is INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" 2 \
            "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" --signature "$v/outsider.p7s" --document "$v/document.txt" \
            "${trust[@]}" "${crls[@]}"
        verify_expect "an expired signer without proof of existence is INDETERMINATE/OUT_OF_BOUNDS_NO_POE" 2 \
            "INDETERMINATE/OUT_OF_BOUNDS_NO_POE" --signature "$v/expired.p7s" --document "$v/document.txt" \
            --ca "$v/outside-root.pem"
    else
        fail "Python cryptography makes the outside certificates" "$(cat "$v/make.out")"
    fi

    # A B-T seal, then the seal and the openssl signer are revoked: the time-stamp proves the seal existed
    # before, so it still passes; the openssl signature (B-B) has no proof of existence.
    expect_ok "civitas seal create (validation)" "$@" -- "$BINARY" seal create --data "$data" --log-level warning \
        --name validation-seal --organisation "Public Registry" --code GOV-700000023
    expect_ok "civitas seal sign B-T (validation)" "$@" -- "$BINARY" seal sign --data "$data" --log-level warning \
        --name validation-seal --in "$v/document.txt" --out "$v/seal.p7s" --level B-T
    local seal_serial signer_serial
    seal_serial="$("$ROOT/.venv/bin/python" -c 'import sys
from cryptography.hazmat.primitives.serialization import pkcs7
for c in pkcs7.load_der_pkcs7_certificates(open(sys.argv[1], "rb").read()):
    if "e-seal" in c.subject.rfc4514_string():
        h = format(c.serial_number, "x")
        print(h.zfill(len(h) + len(h) % 2))' "$v/seal.p7s")"
    signer_serial="$(openssl x509 -in "$v/signer.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')"
    # Past the time-stamp's genTime plus its accuracy (1 s), so the revocation comes after the proof.
    sleep 3
    expect_ok "civitas pki revoke the seal" "$@" -- "$BINARY" pki revoke --data "$data" --log-level warning \
        --issuer organisations-ca --serial "$seal_serial" --reason keyCompromise
    expect_ok "civitas pki revoke the openssl signer" "$@" -- "$BINARY" pki revoke --data "$data" \
        --log-level warning --issuer citizens-ca --serial "$signer_serial" --reason keyCompromise
    sleep 2
    fetch_crls "$v" || { fail "fetch the CRLs after the revocations"; return; }
    verify_expect "openssl's B-B signature, signer revoked since: INDETERMINATE/REVOKED_NO_POE" 2 \
        "INDETERMINATE/REVOKED_NO_POE" --signature "$v/openssl.p7s" --document "$v/document.txt" "${trust[@]}" \
        "${crls[@]}"
    verify_expect "a B-T seal revoked after its time-stamp is TOTAL-PASSED" 0 "after the proof of existence" \
        --signature "$v/seal.p7s" --document "$v/document.txt" "${trust[@]}" "${crls[@]}"
}
