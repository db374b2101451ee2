#!/usr/bin/env bash
# shellcheck shell=bash
#
# Checks of the Identity block's password hashes and TOTP against tools nobody here wrote: Python's
# `pyotp` (RFC 6238 codes and otpauth:// URIs) and `hashlib.scrypt` (OpenSSL's scrypt). Both directions:
# Python makes vectors that the Swift suite IdentityInteropTests must agree with, and that suite writes
# its own secrets, URIs, codes and PHC hashes for Python to check. Needs the tests built
# (`swift build --build-tests`, as scripts/test does first) and pyotp in the Python environment.
# Sourced by scripts/lib/system-tests.sh, whose helpers (pass, fail, WORK, ROOT) it uses.
#
# Tunables: IDENTITY_INTEROP_PYTHON (default $ROOT/.venv/bin/python).

# identity_password_tests: runs the exchange once; it needs no node and no database.
identity_password_tests() {
    local python="${IDENTITY_INTEROP_PYTHON:-$ROOT/.venv/bin/python}" dir="$WORK/identity-interop"
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! "$python" -c 'import pyotp' >"$dir/import.out" 2>&1; then
        fail "pyotp is installed for the identity interoperability checks" "$(cat "$dir/import.out")"
        return
    fi
    if ! "$python" - "$dir" >"$dir/make.out" 2>&1 <<'PY'; then
import base64, hashlib, json, random, secrets, sys, unicodedata
import pyotp

directory = sys.argv[1]
def b64(data):
    return base64.b64encode(data).decode().rstrip("=")

vectors = []
for _ in range(50):
    secret = pyotp.random_base32(32)
    time = random.randrange(0, 4_000_000_000)
    vectors.append({"secret": secret, "time": time, "code": pyotp.TOTP(secret).at(time)})
hashes = []
for password in ["correct horse battery staple", "ნინო ბერიძე 2026!", "비밀번호는 길수록 좋다 정말로"]:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(unicodedata.normalize("NFC", password).encode(), salt=salt, n=2**17, r=8, p=1,
                         dklen=32, maxmem=256 * 1024 * 1024)
    hashes.append({"password": password, "stored": f"$scrypt$ln=17,r=8,p=1${b64(salt)}${b64(key)}"})
json.dump(vectors, open(f"{directory}/pyotp-vectors.json", "w"))
json.dump(hashes, open(f"{directory}/hashlib-hashes.json", "w"))
PY
        fail "pyotp and hashlib make the identity vectors" "$(tail -n 5 "$dir/make.out")"
        return
    fi
    if (cd "$ROOT" && CIVITAS_TEST_IDENTITY_INTEROP="$dir" swift test --skip-build --filter IdentityInteropTests \
        >"$dir/swift.out" 2>&1) && [[ -s "$dir/civitas-totp.json" && -s "$dir/civitas-hashes.json" ]]; then
        pass "Civitas agrees with pyotp's TOTP codes and verifies hashlib's scrypt PHC hashes"
    else
        fail "Civitas agrees with pyotp's TOTP codes and verifies hashlib's scrypt PHC hashes" \
            "$(grep -E 'failed|error|Expectation' "$dir/swift.out" | head -n 10)"
        return
    fi
    if "$python" - "$dir" >"$dir/check.out" 2>&1 <<'PY'; then
import base64, hashlib, hmac, json, sys, unicodedata
import pyotp

directory = sys.argv[1]
for vector in json.load(open(f"{directory}/civitas-totp.json")):
    totp = pyotp.parse_uri(vector["uri"])
    assert isinstance(totp, pyotp.TOTP), vector["uri"]
    assert totp.issuer == "Civitas", totp.issuer
    assert totp.name == vector["account"], (totp.name, vector["account"])
    assert totp.secret == vector["secret"] and totp.digits == 6 and totp.interval == 30
    assert totp.verify(vector["code"], for_time=vector["time"]), vector
    assert not totp.verify(vector["code"], for_time=vector["time"] + 90), vector

def unb64(text):
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)

for vector in json.load(open(f"{directory}/civitas-hashes.json")):
    empty, name, parameters, salt, key = vector["stored"].split("$")
    assert empty == "" and name == "scrypt" and parameters == "ln=17,r=8,p=1", vector["stored"]
    salt, key = unb64(salt), unb64(key)
    assert len(salt) == 16 and len(key) == 32
    password = unicodedata.normalize("NFC", vector["password"]).encode()
    derived = hashlib.scrypt(password, salt=salt, n=2**17, r=8, p=1, dklen=32, maxmem=256 * 1024 * 1024)
    assert hmac.compare_digest(derived, key), vector["stored"]
print("ok")
PY
        pass "pyotp reads Civitas's otpauth URIs and accepts its codes; hashlib verifies its scrypt hashes"
    else
        fail "pyotp reads Civitas's otpauth URIs and accepts its codes; hashlib verifies its scrypt hashes" \
            "$(tail -n 5 "$dir/check.out")"
    fi
}
