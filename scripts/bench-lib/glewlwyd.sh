# shellcheck shell=bash
#
# A throwaway glewlwyd (the Debian package) for scripts/bench: the peer OpenID Connect provider whose token
# endpoint is measured beside ours in the same run.
#
# Source this file (scripts/bench does; it supplies say, free_port, wait_for, $WORK and the PIDS array), then:
#
#     glewlwyd_start                           # exports GLEWLWYD_TOKEN_URL, GLEWLWYD_CLIENT_ID, ...
#     glewlwyd_refresh_tokens 4 "$WORK/glewlwyd-tokens"
#     glewlwyd_stop
#
# and the wrk scripts for both servers take the same environment, e.g.
#
#     CLIENT_ID="$GLEWLWYD_CLIENT_ID" CLIENT_SECRET="$GLEWLWYD_CLIENT_SECRET" SCOPE="$GLEWLWYD_SCOPE" \
#         wrk -t2 -c32 -d"$DURATION" --latency -s scripts/bench-lua/token-client-credentials.lua "$GLEWLWYD_TOKEN_URL"
#     CLIENT_ID="$GLEWLWYD_CLIENT_ID" CLIENT_SECRET="$GLEWLWYD_CLIENT_SECRET" TOKENS_FILE="$WORK/glewlwyd-tokens" \
#         wrk -t4 -c4 -d"$DURATION" --latency -s scripts/bench-lua/token-refresh.lua "$GLEWLWYD_TOKEN_URL"
#
# Everything lives in $WORK/glewlwyd/: a config file written here, an SQLite database made from the package's
# init.sqlite3.sql.gz, a P-256 signing key made with openssl, the server's log. It listens on 127.0.0.1 only, on a
# free port, over plain HTTP. Its admin API (the package's default admin/password account, reachable only on
# loopback, deleted with the directory) sets up:
#   - one OpenID Connect plugin instance "oidc": ES256 JWT access and ID tokens (the same algorithm as Civitas),
#     grants client_credentials, refresh_token, authorization code and resource-owner password (which mints the
#     first refresh tokens; "allow-non-oidc" must be on for client_credentials and password), public subject
#     identifiers, and one-time-use refresh tokens ("refresh-token-one-use": "always"), so glewlwyd rotates refresh
#     tokens as Civitas does. GLEWLWYD_ROTATE=0 before glewlwyd_start turns rotation off ("never").
#   - one scope "bench" (password required, which the password grant satisfies),
#   - one confidential client with a random client_secret, client_secret_basic, allowed the scope "bench",
#   - one user with a random password and the scopes openid and bench.
#
# After glewlwyd_start these are exported:
#   GLEWLWYD_URL            http://127.0.0.1:PORT
#   GLEWLWYD_TOKEN_URL      $GLEWLWYD_URL/api/oidc/token
#   GLEWLWYD_CLIENT_ID      the client's id
#   GLEWLWYD_CLIENT_SECRET  its secret (send it with HTTP Basic)
#   GLEWLWYD_SCOPE          bench, a scope the client gets by client_credentials
#   GLEWLWYD_USERNAME, GLEWLWYD_PASSWORD   the user
#   GLEWLWYD_PID            the server's pid (also appended to PIDS when that array exists)
#
# Tunables (environment): GLEWLWYD_BIN (default /usr/bin/glewlwyd), GLEWLWYD_SQL (default the package's
# /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz), GLEWLWYD_ROTATE (default 1), GLEWLWYD_JOURNAL_MODE
# (SQLite journal mode of its database, default WAL; synchronous stays SQLite's default, FULL, so every commit is
# durable), GLEWLWYD_LOG_LEVEL (default WARNING).

# Fallbacks when this file is sourced outside scripts/bench.
declare -F say >/dev/null || say() { printf '%s\n' "$*"; }
declare -F free_port >/dev/null ||
    free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -F wait_for >/dev/null || wait_for() {
    local url="$1" i
    for ((i = 0; i < 100; i++)); do
        curl -sf -o /dev/null "$url" && return 0
        sleep 0.1
    done
    echo "no answer from $url" >&2
    return 1
}

# _glewlwyd_admin METHOD PATH [JSON]: one admin API call with the admin session cookie; fails on a non-2xx answer.
_glewlwyd_admin() {
    local method="$1" path="$2" body="${3:-}" out code
    out="$(curl -s -b "$GLEWLWYD_DIR/cookies" -c "$GLEWLWYD_DIR/cookies" -X "$method" \
        -H 'Content-Type: application/json' ${body:+--data-binary "$body"} -w '\n%{http_code}' \
        "$GLEWLWYD_URL/api$path")"
    code="${out##*$'\n'}"
    if [[ "$code" != 2?? ]]; then
        echo "glewlwyd: $method /api$path answered $code: ${out%$'\n'*}" >&2
        return 1
    fi
}

# _glewlwyd_json PYTHON-EXPRESSION [NAME=VALUE...]: prints json.dumps of the expression; the values are in `v`.
_glewlwyd_json() {
    python3 - "$@" <<'PY'
import json, sys
expr = sys.argv[1]
v = dict(arg.split("=", 1) for arg in sys.argv[2:])
print(json.dumps(eval(expr)))
PY
}

glewlwyd_start() {
    : "${WORK:?glewlwyd_start needs WORK (a scratch directory)}"
    local bin="${GLEWLWYD_BIN:-/usr/bin/glewlwyd}"
    local sql="${GLEWLWYD_SQL:-/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz}"
    local rotate=always port dir
    [[ "${GLEWLWYD_ROTATE:-1}" == 0 ]] && rotate=never
    [[ -x "$bin" ]] || { echo "glewlwyd: $bin is not installed (apt-get install glewlwyd)" >&2; return 1; }
    [[ -r "$sql" ]] || { echo "glewlwyd: no database script at $sql" >&2; return 1; }

    dir="$WORK/glewlwyd"
    rm -rf "$dir"
    mkdir -p "$dir"
    GLEWLWYD_DIR="$dir"
    port="$(free_port)"
    GLEWLWYD_URL="http://127.0.0.1:$port"

    if [[ "$sql" == *.gz ]]; then gzip -dc "$sql"; else cat "$sql"; fi | sqlite3 "$dir/glewlwyd.db" || return 1
    # The journal mode is a property of the database file, and glewlwyd leaves it alone: WAL, as Civitas runs
    # SQLite, unless GLEWLWYD_JOURNAL_MODE says otherwise (delete is SQLite's default and what a fresh package
    # install gets; there glewlwyd issues several times fewer tokens per second).
    sqlite3 "$dir/glewlwyd.db" "PRAGMA journal_mode=${GLEWLWYD_JOURNAL_MODE:-WAL};" >/dev/null || return 1

    # Token signing key (ES256). glewlwyd also refuses to start unless secure_connection_key_file and
    # secure_connection_pem_file are set, even with use_secure_connection=false; it never reads them then, but
    # they name a real throwaway key and certificate.
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/es256.key" 2>/dev/null || return 1
    openssl ec -in "$dir/es256.key" -pubout -out "$dir/es256.pub" 2>/dev/null || return 1
    openssl req -x509 -new -key "$dir/es256.key" -subj "/CN=127.0.0.1" -days 2 -out "$dir/tls.pem" 2>/dev/null ||
        return 1

    cat >"$dir/glewlwyd.conf" <<CONF
# Written by scripts/bench-lib/glewlwyd.sh for one benchmark run.
port=$port
bind_address="127.0.0.1"
external_url="$GLEWLWYD_URL"
login_url="login.html"
api_prefix="api"
allow_origin="*"
log_mode="file"
log_level="${GLEWLWYD_LOG_LEVEL:-WARNING}"
log_file="$dir/glewlwyd.log"
cookie_secure=0
cookie_same_site="empty"
session_expiration=2419200
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
plugin_api_run_enabled=""
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
use_secure_connection=false
secure_connection_key_file="$dir/es256.key"
secure_connection_pem_file="$dir/tls.pem"
hash_algorithm="SHA512"
database =
{
  type = "sqlite3"
  path = "$dir/glewlwyd.db"
};
CONF

    "$bin" -c "$dir/glewlwyd.conf" >"$dir/stdout.log" 2>&1 &
    GLEWLWYD_PID=$!
    [[ "$(declare -p PIDS 2>/dev/null)" == "declare -a"* ]] && PIDS+=("$GLEWLWYD_PID")
    if ! wait_for "$GLEWLWYD_URL/config"; then
        cat "$dir/stdout.log" "$dir/glewlwyd.log" >&2 2>/dev/null || true
        return 1
    fi

    # The admin session: the package's initial account.
    _glewlwyd_admin POST /auth/ '{"username": "admin", "password": "password"}' || return 1

    _glewlwyd_admin POST /scope/ '{"name": "bench", "display_name": "Benchmark", "description": "benchmark scope",
        "password_required": true, "password_max_age": 0, "scheme": {}}' || return 1

    _glewlwyd_admin POST /mod/plugin/ "$(_glewlwyd_json '{
        "module": "oidc", "name": "oidc", "display_name": "OpenID Connect (benchmark)", "enabled": True,
        "parameters": {
            "iss": v["iss"], "jwt-type": "ecdsa", "jwt-key-size": "256", "key": v["key"], "cert": v["cert"],
            "access-token-duration": 3600, "refresh-token-duration": 1209600, "code-duration": 600,
            "refresh-token-rolling": True, "refresh-token-one-use": v["rotate"],
            "client-refresh-token-one-use-parameter": "refresh-token-one-use",
            "allow-non-oidc": True, "auth-type-code-enabled": True, "auth-type-code-revoke-replayed": False,
            "auth-type-token-enabled": False, "auth-type-id-token-enabled": True, "auth-type-none-enabled": False,
            "auth-type-password-enabled": True, "auth-type-client-enabled": True, "auth-type-device-enabled": False,
            "auth-type-refresh-enabled": True,
            "scope": [], "allowed-scope": ["openid", "bench"], "secret-type": "public", "jwks-show": True,
            "name-claim": "no", "email-claim": "no", "scope-claim": "no", "address-claim": {"type": "no"},
            "claims": [], "additional-parameters": [],
            "request-parameter-allow": False, "session-management-allowed": False,
            "introspection-revocation-allowed": False, "register-client-allowed": False}}' \
        iss="$GLEWLWYD_URL" key="$(cat "$dir/es256.key")" cert="$(cat "$dir/es256.pub")" rotate="$rotate")" || return 1

    GLEWLWYD_CLIENT_ID=bench-client
    GLEWLWYD_CLIENT_SECRET="$(openssl rand -hex 24)"
    GLEWLWYD_SCOPE=bench
    GLEWLWYD_USERNAME=bench-user
    GLEWLWYD_PASSWORD="$(openssl rand -hex 16)"
    _glewlwyd_admin POST /client/ "$(_glewlwyd_json '{
        "client_id": v["id"], "name": "Benchmark client", "description": "", "enabled": True, "confidential": True,
        "client_secret": v["secret"], "token_endpoint_auth_method": ["client_secret_basic"],
        "redirect_uri": ["http://127.0.0.1/callback"],
        "authorization_type": ["code", "client_credentials", "refresh_token", "password"], "scope": [v["scope"]]}' \
        id="$GLEWLWYD_CLIENT_ID" secret="$GLEWLWYD_CLIENT_SECRET" scope="$GLEWLWYD_SCOPE")" || return 1
    _glewlwyd_admin POST /user/ "$(_glewlwyd_json '{
        "username": v["username"], "name": "Benchmark user", "email": "", "enabled": True,
        "password": v["password"], "scope": ["openid", v["scope"]]}' \
        username="$GLEWLWYD_USERNAME" password="$GLEWLWYD_PASSWORD" scope="$GLEWLWYD_SCOPE")" || return 1

    GLEWLWYD_TOKEN_URL="$GLEWLWYD_URL/api/oidc/token"
    export GLEWLWYD_DIR GLEWLWYD_URL GLEWLWYD_TOKEN_URL GLEWLWYD_CLIENT_ID GLEWLWYD_CLIENT_SECRET GLEWLWYD_SCOPE \
        GLEWLWYD_USERNAME GLEWLWYD_PASSWORD GLEWLWYD_PID

    # One client_credentials token proves the set-up before anything is measured.
    local probe
    probe="$(curl -s -u "$GLEWLWYD_CLIENT_ID:$GLEWLWYD_CLIENT_SECRET" -d "grant_type=client_credentials" \
        --data-urlencode "scope=$GLEWLWYD_SCOPE" -w '\n%{http_code}' "$GLEWLWYD_TOKEN_URL")"
    if [[ "${probe##*$'\n'}" != 200 ]]; then
        echo "glewlwyd: client_credentials probe failed: $probe" >&2
        return 1
    fi
}

# glewlwyd_refresh_tokens N FILE: N independent refresh tokens for the user, one resource-owner password grant
# (one login) each, written one per line to FILE.
glewlwyd_refresh_tokens() {
    local n="$1" file="$2" i out
    : >"$file"
    for ((i = 0; i < n; i++)); do
        out="$(curl -s -u "$GLEWLWYD_CLIENT_ID:$GLEWLWYD_CLIENT_SECRET" -d grant_type=password \
            --data-urlencode "username=$GLEWLWYD_USERNAME" --data-urlencode "password=$GLEWLWYD_PASSWORD" \
            --data-urlencode "scope=openid $GLEWLWYD_SCOPE" "$GLEWLWYD_TOKEN_URL")"
        if ! python3 -c 'import json, sys; print(json.loads(sys.argv[1])["refresh_token"])' "$out" >>"$file" \
            2>/dev/null; then
            echo "glewlwyd: the password grant gave no refresh token: $out" >&2
            return 1
        fi
    done
}

glewlwyd_stop() {
    [[ -n "${GLEWLWYD_PID:-}" ]] || return 0
    kill "$GLEWLWYD_PID" 2>/dev/null || true
    wait "$GLEWLWYD_PID" 2>/dev/null || true
    GLEWLWYD_PID=""
}
