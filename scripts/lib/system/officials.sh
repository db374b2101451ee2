#!/usr/bin/env bash
# shellcheck shell=bash
#
# Officials, the admin pages and the relying-party registry API, from outside: the CLI grants and revokes
# roles; Python (requests, pyotp) signs the demo official in with password and TOTP (step-up to substantial)
# and uses /admin; curl drives /identity/v1/relying-parties with an API client token from the CLI.
# Sourced by scripts/lib/system-tests.sh, whose helpers (pass, fail, expect_ok, start_server, stop_server,
# CLEAN_ENV, WORK, ROOT, BINARY, SERVER_PORT) it uses.

# officials_tests: a demo country of 20 residents on SQLite.
officials_tests() {
    local data="$WORK/officials-demo" out="$WORK/officials"
    rm -rf "$data" "$out"
    mkdir -p "$out"
    expect_ok "civitas demo --no-serve (for officials)" -- "$BINARY" demo --no-serve --data "$data" --persons 20
    local official
    official="$(sqlite3 "$data/civitas.sqlite" \
        "SELECT personal_number FROM identity_accounts WHERE username = 'demo.official'")"
    if "${CLEAN_ENV[@]}" "$BINARY" identity official list --data "$data" --log-level warning >"$out/list.out" 2>&1 \
        && [[ -n "$official" ]] && grep -q "^$official	identity-admin" "$out/list.out" \
        && grep -q "^$official	service-hall" "$out/list.out"; then
        pass "the demo official holds identity-admin and service-hall (civitas identity official list)"
    else
        fail "the demo official holds identity-admin and service-hall" "$(cat "$out/list.out")"
    fi
    local person
    person="$(sqlite3 "$data/civitas.sqlite" \
        "SELECT personal_number FROM identity_persons ORDER BY personal_number LIMIT 1")"
    expect_ok "civitas identity official grant" -- "$BINARY" identity official grant --data "$data" \
        --log-level warning --personal-number "$person" --role service-hall
    if "${CLEAN_ENV[@]}" "$BINARY" identity official grant --data "$data" --log-level warning \
        --personal-number "$person" --role service-hall >"$out/again.out" 2>&1; then
        fail "a second grant of the same role is refused" "$(cat "$out/again.out")"
    else
        pass "a second grant of the same role is refused"
    fi
    if "${CLEAN_ENV[@]}" "$BINARY" identity official grant --data "$data" --log-level warning \
        --personal-number "$person" --role mayor >"$out/role.out" 2>&1; then
        fail "an unknown role is refused" "$(cat "$out/role.out")"
    else
        pass "an unknown role is refused"
    fi
    expect_ok "civitas identity official revoke" -- "$BINARY" identity official revoke --data "$data" \
        --log-level warning --personal-number "$person" --role service-hall
    local grants
    grants="$(sqlite3 "$data/civitas.sqlite" \
        "SELECT COUNT(*) FROM audit_entries WHERE action IN ('identity.official.grant', 'identity.official.revoke')
         AND actor_kind = 'official'" 2>/dev/null || echo "?")"
    if [[ "$grants" == "2" ]]; then
        pass "the CLI's grant and revoke are audited under an official actor"
    else
        fail "the CLI's grant and revoke are audited under an official actor" "found: $grants"
    fi
    local token
    if ! token="$("${CLEAN_ENV[@]}" "$BINARY" pki client create --data "$data" --log-level warning \
        --name "Digital agency" --scope identity.relying-parties 2>"$out/client.err")"; then
        fail "civitas pki client create --scope identity.relying-parties" "$(cat "$out/client.err")"
        return
    fi
    pass "civitas pki client create --scope identity.relying-parties"
    if start_server "officials" -- demo --data "$data" --host 127.0.0.1 --port @PORT@; then
        local base="http://127.0.0.1:$SERVER_PORT/identity/v1/relying-parties" code
        code="$(curl -s -o "$out/created.json" -w '%{http_code}' --max-time 10 -X POST "$base" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d '{"client_id":"land-registry","client_name":"Land Registry","redirect_uris":["https://land.example/cb"],
                 "scope":"openid profile","id_token_signed_response_alg":"EdDSA"}')"
        if [[ "$code" == "201" ]] && grep -q '"client_secret"' "$out/created.json"; then
            pass "curl registers a relying party through the API (201, secret shown once)"
        else
            fail "curl registers a relying party through the API" "status $code: $(head -c 300 "$out/created.json")"
        fi
        code="$(curl -s -o "$out/bad.json" -w '%{http_code}' --max-time 10 -X POST "$base" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"client_name":')"
        if [[ "$code" == "400" ]] && grep -q '"type"' "$out/bad.json"; then
            pass "truncated JSON is a 400 problem"
        else
            fail "truncated JSON is a 400 problem" "status $code"
        fi
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/nobody" -H "Authorization: Bearer $token")"
        [[ "$code" == "404" ]] && pass "an unknown client id is 404" || fail "an unknown client id is 404" "status $code"
        if "$ROOT/.venv/bin/python" - "http://127.0.0.1:$SERVER_PORT" <<'PY' >"$out/admin.out" 2>&1; then
import base64, hashlib, re, sys
import pyotp, requests

base = sys.argv[1]
secret = base64.b32encode(hashlib.sha256(b"civitas demo official").digest()[:20]).decode().rstrip("=")
browser = requests.Session()
first = browser.get(f"{base}/admin", allow_redirects=False)
assert first.status_code == 303 and "level=2" in first.headers["Location"], first.headers
page = browser.get(base + first.headers["Location"])
token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
action = re.search(r'action="(/login\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
step = browser.post(base + action, data={"_csrf": token, "username": "demo.official",
                                          "password": "civitas demo country 2026"}, allow_redirects=False)
assert step.status_code == 303 and "/login/otp" in step.headers["Location"], (step.status_code, step.headers)
page = browser.get(base + step.headers["Location"])
action = re.search(r'action="(/login/otp\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
done = browser.post(base + action, data={"_csrf": token, "code": pyotp.TOTP(secret).now()}, allow_redirects=False)
assert done.status_code == 303 and done.headers["Location"] == "/admin", (done.status_code, done.headers)
home = browser.get(f"{base}/admin?lang=ka")
assert home.status_code == 200 and "ადმინისტრირება" in home.text, home.status_code
parties = browser.get(f"{base}/admin/relying-parties")
assert "land-registry" in parties.text and "EdDSA" in parties.text, parties.text[:300]
refused = browser.post(f"{base}/admin/relying-parties", data={"_csrf": token, "client_id": "x y",
                       "client_name": "", "redirect_uris": "http://evil.example/cb", "scope": "openid",
                       "token_endpoint_auth_method": "none", "required_level": "low",
                       "id_token_signed_response_alg": "ES256"}, headers={"Origin": base})
assert refused.status_code == 400 and 'id="redirect_uris-error"' in refused.text, refused.status_code
print("admin pages: ok")
PY
            pass "the demo official steps up with TOTP, opens /admin in Georgian and sees the API's relying party"
        else
            fail "the demo official steps up with TOTP and uses /admin" "$(tail -n 8 "$out/admin.out")"
            show_server_log
        fi
        stop_server "officials"
    fi
}
