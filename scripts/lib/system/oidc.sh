#!/usr/bin/env bash
# shellcheck shell=bash
#
# The OpenID Connect provider against a relying party nobody here wrote: Authlib (code flow with PKCE,
# client_secret_basic, refresh) and joserfc (ID token signature with the published JWKS), driven by
# scripts/interop/oidc_rp.py through the node's own login, password-change and consent pages.
# Sourced by scripts/lib/system-tests.sh, whose helpers (pass, fail, expect_ok, start_server, stop_server,
# CLEAN_ENV, WORK, ROOT, BINARY) it uses.

# oidc_tests: a demo country of 20 residents on SQLite; an account opened at a "service hall", a relying
# party registered with the CLI, then the Authlib flow against the demo node.
oidc_tests() {
    local data="$WORK/oidc-demo" out="$WORK/oidc"
    rm -rf "$data" "$out"
    mkdir -p "$out"
    expect_ok "civitas demo --no-serve (for OpenID Connect)" -- "$BINARY" demo --no-serve --data "$data" --persons 20
    # The demo residents' accounts log in with the published demo password.
    local demo_user
    demo_user="$(sqlite3 "$data/civitas.sqlite" "SELECT username FROM identity_accounts ORDER BY username LIMIT 1")"
    if [[ "$demo_user" == demo.* ]]; then
        pass "civitas demo opens accounts for demo residents ($demo_user)"
    else
        fail "civitas demo opens accounts for demo residents" "found: $demo_user"
    fi
    local person
    person="$(sqlite3 "$data/civitas.sqlite" \
        "SELECT personal_number FROM identity_persons p WHERE died_on IS NULL AND birth_date < '2000-01-01'
         AND NOT EXISTS (SELECT 1 FROM identity_accounts a WHERE a.personal_number = p.personal_number)
         ORDER BY personal_number LIMIT 1")"
    if [[ -z "$person" ]]; then
        fail "find an adult in the demo population register"
        return
    fi
    local code secret
    if ! code="$("${CLEAN_ENV[@]}" "$BINARY" identity account create --data "$data" --log-level warning \
        --personal-number "$person" --username "tamar.test" 2>"$out/account.err")"; then
        fail "civitas identity account create" "$(cat "$out/account.err")"
        return
    fi
    pass "civitas identity account create prints a one-time activation code"
    if ! secret="$("${CLEAN_ENV[@]}" "$BINARY" identity client register --data "$data" --log-level warning \
        --id test-portal --name "Test Portal" --redirect-uri "http://127.0.0.1:9/callback" --scope profile \
        --scope age 2>"$out/client.err")"; then
        fail "civitas identity client register" "$(cat "$out/client.err")"
        return
    fi
    pass "civitas identity client register prints the client secret"
    local ed_secret
    if ! ed_secret="$("${CLEAN_ENV[@]}" "$BINARY" identity client register --data "$data" --log-level warning \
        --id test-portal-eddsa --name "Test Portal (EdDSA)" --redirect-uri "http://127.0.0.1:9/callback" \
        --scope profile --id-token-alg EdDSA 2>"$out/client-eddsa.err")"; then
        fail "civitas identity client register --id-token-alg EdDSA" "$(cat "$out/client-eddsa.err")"
        return
    fi
    pass "civitas identity client register --id-token-alg EdDSA registers an EdDSA client"
    if start_server "oidc" -- demo --data "$data" --host 127.0.0.1 --port @PORT@; then
        if "$ROOT/.venv/bin/python" - "http://127.0.0.1:$SERVER_PORT" "$demo_user" <<'PY' >"$out/demo-login.out" 2>&1; then
import re, sys, requests
base, user = sys.argv[1:3]
browser = requests.Session()
page = browser.get(f"{base}/login")
token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
answer = browser.post(f"{base}/login", data={"_csrf": token, "username": user, "password": "civitas demo country 2026"},
                      allow_redirects=False)
assert answer.status_code == 303 and "civitas_session=" in answer.headers.get("Set-Cookie", ""), answer.status_code
PY
            pass "a demo resident logs in with the demo password"
        else
            fail "a demo resident logs in with the demo password" "$(tail -n 5 "$out/demo-login.out")"
        fi
        if "$ROOT/.venv/bin/python" "$ROOT/scripts/interop/oidc_rp.py" "http://127.0.0.1:$SERVER_PORT" test-portal \
            "$secret" "http://127.0.0.1:9/callback" tamar.test "$code" "mtatsminda at dusk, 2026" \
            test-portal-eddsa "$ed_secret" >"$out/rp.out" 2>&1; then
            pass "Authlib and joserfc: the code flow, PKCE, refresh, userinfo, EdDSA ID tokens and the error cases ($(grep -c '^PASS' "$out/rp.out") checks)"
        else
            fail "Authlib and joserfc: the code flow, PKCE, refresh, userinfo and the error cases" \
                "$(grep -v '^PASS' "$out/rp.out" | head -n 20)"
            show_server_log
        fi
        stop_server "oidc"
    fi
}
