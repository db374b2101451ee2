#!/usr/bin/env bash
# RFC 3161 interoperability check of a Civitas time-stamp authority with tools nobody here wrote:
# `openssl ts` (queries, reply printing, verification) and PyPI rfc3161-client (a strict DER verifier).
#
# Usage:
#   tsa.sh prepare DIR                 make DIR/pki (a P-384 root CA and a P-256 TSA certificate with a critical
#                                      timeStamping EKU, by openssl), DIR/data.txt and the queries DIR/NAME.tsq
#                                      (good ones, and bad-*.tsq with the failure DIR/bad-*.expect names)
#   tsa.sh verify DIR [ROOT CHAIN]     check every reply DIR/NAME.tsr against DIR/NAME.tsq, and every CMS
#                                      signature DIR/*.p7s over DIR/data.txt (optional); ROOT and CHAIN
#                                      default to DIR/pki/root.pem and DIR/pki/chain.pem
#   tsa.sh url URL ROOT CHAIN [DIR]    prepare queries in DIR (default: a temporary folder), POST each to URL as
#                                      application/timestamp-query, then verify the replies
#
# Between `prepare` and `verify`, something must answer each DIR/NAME.tsq with DIR/NAME.tsr using the key
# DIR/pki/tsa.key, certificate DIR/pki/tsa.pem and chain DIR/pki/root.pem, under policy $TSA_POLICY.
# CHAIN is the TSA certificate followed by any intermediate CAs (openssl's -untrusted); ROOT is the trust anchor.
#
# Environment: TSA_POLICY (default 1.3.6.1.4.1.99999.3161.1), the authority's policy; RFC3161_PYTHON, a Python
# with rfc3161-client installed (default: a virtual environment made under ${TMPDIR:-/tmp}/civitas-interop-venv).
# Exit status 0 when every check passed; the last line says `N passed, N failed`.
set -euo pipefail

POLICY=${TSA_POLICY:-1.3.6.1.4.1.99999.3161.1}
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

python_with_client() {
    if [[ -n ${RFC3161_PYTHON:-} ]]; then
        echo "$RFC3161_PYTHON"
        return
    fi
    local venv=${TMPDIR:-/tmp}/civitas-interop-venv
    if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import rfc3161_client' 2>/dev/null; then
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet rfc3161-client >&2
    fi
    echo "$venv/bin/python"
}

make_pki() {
    local pki=$1/pki
    mkdir -p "$pki"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$pki/root.key" 2>/dev/null
    openssl req -x509 -new -key "$pki/root.key" -sha384 -days 3650 -subj "/C=GE/O=Civitas Interop/CN=Interop Root CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" -out "$pki/root.pem" 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/tsa.key" 2>/dev/null
    openssl req -new -key "$pki/tsa.key" -subj "/C=GE/O=Civitas Interop/CN=Interop TSA" -out "$pki/tsa.csr" 2>/dev/null
    cat >"$pki/tsa.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=critical,timeStamping
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
    openssl x509 -req -in "$pki/tsa.csr" -CA "$pki/root.pem" -CAkey "$pki/root.key" -CAcreateserial -sha384 \
        -days 1825 -extfile "$pki/tsa.ext" -out "$pki/tsa.pem" 2>/dev/null
    cp "$pki/tsa.pem" "$pki/chain.pem"
}

make_queries() {
    local dir=$1 python
    python=$(python_with_client)
    mkdir -p "$dir"
    printf 'Civitas interop document, %s\n' "$(date -u +%FT%TZ)" >"$dir/data.txt"
    local data=$dir/data.txt
    # Good queries, made by openssl.
    for hash in sha256 sha384 sha512; do
        openssl ts -query -data "$data" -"$hash" -cert -out "$dir/$hash-cert.tsq" 2>/dev/null
        openssl ts -query -data "$data" -"$hash" -out "$dir/$hash-nocert.tsq" 2>/dev/null
        openssl ts -query -data "$data" -"$hash" -cert -no_nonce -out "$dir/$hash-nononce-cert.tsq" 2>/dev/null
    done
    openssl ts -query -data "$data" -sha256 -no_nonce -out "$dir/sha256-nononce-nocert.tsq" 2>/dev/null
    openssl ts -query -data "$data" -sha256 -cert -tspolicy "$POLICY" -out "$dir/sha256-policy-cert.tsq" 2>/dev/null
    # Bad queries made by openssl.
    openssl ts -query -data "$data" -sha1 -cert -out "$dir/bad-sha1.tsq" 2>/dev/null
    echo "unrecognized or unsupported algorithm identifier" >"$dir/bad-sha1.expect"
    openssl ts -query -data "$data" -sha256 -cert -tspolicy 1.2.3.4.5 -out "$dir/bad-policy.tsq" 2>/dev/null
    echo "the requested TSA policy is not supported by the TSA" >"$dir/bad-policy.expect"
    # A good query made by rfc3161-client, and bad ones crafted byte by byte.
    "$python" - "$dir" "$data" <<'EOF'
import hashlib, os, sys
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

directory, data_path = sys.argv[1], sys.argv[2]
data = open(data_path, "rb").read()
request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA512).build()
open(f"{directory}/python-sha512-cert.tsq", "wb").write(request.as_bytes())

def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        body = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return bytes([tag]) + length + content

SHA256 = bytes.fromhex("0609608648016503040201")
SHA1 = bytes.fromhex("06052b0e03021a")
MD5 = bytes.fromhex("06082a864886f70d0205")
digest = hashlib.sha256(data).digest()

def request(version=1, algorithm=SHA256, hashed=digest, rest=b""):
    imprint = tlv(0x30, tlv(0x30, algorithm + b"\x05\x00") + tlv(0x04, hashed))
    return tlv(0x30, tlv(0x02, bytes([version])) + imprint + rest)

good = request(rest=tlv(0x02, os.urandom(8)[:1] + b"\x01" * 7) + b"\x01\x01\xff")
cases = {
    "bad-version": (request(version=2), "transaction not permitted or supported"),
    "bad-md5": (request(algorithm=MD5, hashed=hashlib.md5(data).digest()), "unrecognized or unsupported algorithm identifier"),
    "bad-sha1-crafted": (request(algorithm=SHA1, hashed=hashlib.sha1(data).digest()), "unrecognized or unsupported algorithm identifier"),
    "bad-digest-length": (request(hashed=digest[:20]), "the data submitted has the wrong format"),
    "bad-extension": (
        request(rest=tlv(0xA0, tlv(0x30, bytes.fromhex("06032a0304") + tlv(0x04, b"\x05\x00")))),
        "the requested extension is not supported by the TSA",
    ),
    "bad-truncated": (good[:-5], "the data submitted has the wrong format"),
    "bad-trailing": (good + b"\x00", "the data submitted has the wrong format"),
    "bad-random": (os.urandom(64), "the data submitted has the wrong format"),
    "bad-empty": (b"", "the data submitted has the wrong format"),
    "bad-indefinite": (b"\x30\x80" + good[2:] + b"\x00\x00", "the data submitted has the wrong format"),
}
for name, (body, expect) in cases.items():
    open(f"{directory}/{name}.tsq", "wb").write(body)
    open(f"{directory}/{name}.expect", "w").write(expect + "\n")
EOF
}

verify_replies() {
    local dir=$1 root=$2 chain=$3 python
    python=$(python_with_client)
    local data=$dir/data.txt
    shopt -s nullglob
    local queries=("$dir"/*.tsq)
    [[ ${#queries[@]} -gt 0 ]] || { fail "no queries in $dir"; return; }
    for query in "${queries[@]}"; do
        local name reply
        name=$(basename "$query" .tsq)
        reply=$dir/$name.tsr
        if [[ ! -s $reply ]]; then
            fail "$name: no reply $reply"
            continue
        fi
        local text
        if ! text=$(openssl ts -reply -in "$reply" -text 2>&1); then
            fail "$name: openssl ts -reply cannot read the reply: $text"
            continue
        fi
        if [[ $name == bad-* ]]; then
            local expect
            expect=$(cat "$dir/$name.expect")
            if grep -q '^Status: Rejected' <<<"$text" && grep -qF "Failure info: $expect" <<<"$text"; then
                pass "$name: openssl ts -reply prints Rejected, '$expect'"
            else
                fail "$name: expected a rejection with '$expect', got: $text"
            fi
            if "$python" - "$reply" <<'EOF'; then
import sys
from rfc3161_client import PKIStatus
from rfc3161_client._rust import parse_timestamp_response
response = parse_timestamp_response(open(sys.argv[1], "rb").read())
sys.exit(0 if PKIStatus(response.status) == PKIStatus.REJECTION else 1)
EOF
                pass "$name: rfc3161-client reads status REJECTION"
            else
                fail "$name: rfc3161-client does not read a REJECTION"
            fi
            continue
        fi
        if ! grep -q '^Status: Granted' <<<"$text"; then
            fail "$name: not granted: $text"
            continue
        fi
        local out
        if out=$(openssl ts -verify -queryfile "$query" -in "$reply" -CAfile "$root" -untrusted "$chain" 2>&1) \
            && grep -q 'Verification: OK' <<<"$out"; then
            pass "$name: openssl ts -verify -queryfile"
        else
            fail "$name: openssl ts -verify -queryfile: $out"
        fi
        if out=$(openssl ts -verify -data "$data" -in "$reply" -CAfile "$root" -untrusted "$chain" 2>&1) \
            && grep -q 'Verification: OK' <<<"$out"; then
            pass "$name: openssl ts -verify -data"
        else
            fail "$name: openssl ts -verify -data: $out"
        fi
        if out=$("$python" - "$query" "$reply" "$data" "$root" "$chain" 2>&1 <<'EOF'
import re, sys
import cryptography.x509 as x509
from rfc3161_client import VerifierBuilder, decode_timestamp_response
from rfc3161_client._rust import parse_timestamp_request

query, reply, data, root, chain = sys.argv[1:6]
request = parse_timestamp_request(open(query, "rb").read())
response = decode_timestamp_response(open(reply, "rb").read())
pems = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", open(chain, "rb").read(), re.S)
certificates = [x509.load_pem_x509_certificate(pem) for pem in pems]
builder = VerifierBuilder.from_request(request).add_root_certificate(x509.load_pem_x509_certificate(open(root, "rb").read()))
builder = builder.tsa_certificate(certificates[0])
for intermediate in certificates[1:]:
    builder = builder.add_intermediate_certificate(intermediate)
builder.build().verify_message(response, open(data, "rb").read())
info = response.tst_info
print(f"serial {info.serial_number}, genTime {info.gen_time.isoformat()}, nonce {info.nonce}, "
      f"{len(response.signed_data.certificates)} certificates")
EOF
        ); then
            pass "$name: rfc3161-client verifies ($out)"
        else
            fail "$name: rfc3161-client: $out"
        fi
    done
}

# CMS SignedData files DIR/*.p7s over DIR/data.txt (made by the same signer), if any: openssl's CAdES check
# wants content-type, message-digest and ESS signing-certificate-v2 in the signed attributes.
verify_cms() {
    local dir=$1 root=$2 chain=$3 out
    shopt -s nullglob
    for signature in "$dir"/*.p7s; do
        local name content=()
        name=$(basename "$signature" .p7s)
        [[ $name == *detached* ]] && content=(-content "$dir/data.txt")
        if out=$(openssl cms -verify -binary -inform DER -in "$signature" "${content[@]}" -CAfile "$root" \
            -certfile "$chain" -purpose any -cades -out /dev/null 2>&1); then
            pass "$name: openssl cms -verify -cades"
        else
            fail "$name: openssl cms -verify -cades: $out"
        fi
    done
}

command=${1:-}
case $command in
prepare)
    [[ $# -eq 2 ]] || { sed -n '2,20p' "$0"; exit 2; }
    make_pki "$2"
    make_queries "$2"
    echo "prepared $(ls "$2"/*.tsq | wc -l) queries in $2"
    exit 0
    ;;
verify)
    [[ $# -eq 2 || $# -eq 4 ]] || { sed -n '2,20p' "$0"; exit 2; }
    verify_replies "$2" "${3:-$2/pki/root.pem}" "${4:-$2/pki/chain.pem}"
    verify_cms "$2" "${3:-$2/pki/root.pem}" "${4:-$2/pki/chain.pem}"
    ;;
url)
    [[ $# -ge 4 ]] || { sed -n '2,20p' "$0"; exit 2; }
    dir=${5:-$(mktemp -d)}
    make_queries "$dir"
    for query in "$dir"/*.tsq; do
        curl --silent --show-error --max-time 10 -H 'Content-Type: application/timestamp-query' \
            --data-binary "@$query" -o "${query%.tsq}.tsr" "$2" || fail "$(basename "$query"): POST failed"
    done
    verify_replies "$dir" "$3" "$4"
    ;;
*)
    sed -n '2,20p' "$0"
    exit 2
    ;;
esac

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
