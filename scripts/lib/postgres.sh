# shellcheck shell=bash
#
# A throwaway PostgreSQL server for tests and benchmarks.
#
# Source this file, then:
#
#     pg_start            # starts a fresh server, exports PG_URL and friends
#     psql "$PG_URL" -c 'select 1'
#     pg_stop             # stops it and deletes every file it wrote
#
# The server lives in its own `mktemp -d` directory, listens on 127.0.0.1 only, on a port the kernel
# handed out as free, with its Unix socket inside that directory, so several can run side by side on
# one machine. Authentication is scram-sha-256 for the superuser role `civitas` with a random password.
# `fsync` stays on: tests and benchmarks must see what durable commits really cost.
#
# After pg_start these are exported:
#   PG_BIN       the newest /usr/lib/postgresql/*/bin (or $PG_BIN if it was set and holds initdb)
#   PG_DIR       the temporary directory (data in $PG_DIR/data, socket in $PG_DIR/socket)
#   PG_HOST      127.0.0.1
#   PG_PORT      the TCP port
#   PG_USER      civitas
#   PG_PASSWORD  the random password
#   PG_URL       postgres://civitas:PASSWORD@127.0.0.1:PORT/postgres (a superuser URL)
#
# Tunables (environment): PG_START_TIMEOUT (seconds, default 30), PG_MAX_CONNECTIONS (default 200).

# Prints the newest PostgreSQL server bin directory, or fails.
pg_find_bin() {
    if [[ -n "${PG_BIN:-}" && -x "${PG_BIN}/initdb" ]]; then
        printf '%s\n' "$PG_BIN"
        return 0
    fi
    local dir best=""
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
            best="$dir"
        fi
    done < <(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V)
    if [[ -z "$best" ]]; then
        return 1
    fi
    printf '%s\n' "$best"
}

# Prints a TCP port on 127.0.0.1 that nobody listens on right now.
pg_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
        return
    fi
    # Fallback without Python: a random high port that refuses a connection.
    local port tries
    for ((tries = 0; tries < 100; tries++)); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    echo "pg_free_port: no free port found" >&2
    return 1
}

# Runs a PostgreSQL server binary as the owner of the data directory. PostgreSQL refuses to run as
# root, so as root we run it as the `postgres` system user that Debian's package creates.
_pg_as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd "$PG_DIR" && runuser -u postgres -- env LC_ALL=C "$@")
    else
        (cd "$PG_DIR" && env LC_ALL=C "$@")
    fi
}

_pg_random_hex() {
    od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

# Starts a fresh server. Fails (non-zero) with a message on stderr if it cannot.
pg_start() {
    if [[ -n "${PG_DIR:-}" && -d "${PG_DIR}" ]]; then
        echo "pg_start: a server from this shell is already running in $PG_DIR (call pg_stop first)" >&2
        return 1
    fi
    local bin
    if ! bin="$(pg_find_bin)"; then
        echo "pg_start: no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
        return 1
    fi
    if [[ "$(id -u)" -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        echo "pg_start: running as root but there is no 'postgres' user to run the server as" >&2
        return 1
    fi

    unset PG_PORT PG_URL
    local parent="${TMPDIR:-/tmp}"
    local dir
    dir="$(mktemp -d "$parent/civitas-pg.XXXXXXXX")" || return 1
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$dir"
        # The postgres user must be able to reach the directory; $TMPDIR may be private to root.
        if ! runuser -u postgres -- test -w "$dir"; then
            rm -rf "$dir"
            dir="$(mktemp -d /tmp/civitas-pg.XXXXXXXX)" || return 1
            chown postgres: "$dir"
        fi
    fi
    chmod 700 "$dir"

    export PG_BIN="$bin"
    export PG_DIR="$dir"
    export PG_HOST=127.0.0.1
    export PG_USER=civitas
    PG_PASSWORD="$(_pg_random_hex)"
    export PG_PASSWORD

    local pwfile="$dir/pwfile"
    (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$pwfile"
    fi

    if ! _pg_as_owner "$bin/initdb" --pgdata="$dir/data" --username="$PG_USER" --pwfile="$pwfile" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1; then
        echo "pg_start: initdb failed:" >&2
        tail -n 20 "$dir/initdb.log" >&2
        pg_stop
        return 1
    fi
    rm -f "$pwfile"

    mkdir -p "$dir/socket"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$dir/socket"
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# Added by scripts/lib/postgres.sh for a throwaway test server.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
max_connections = ${PG_MAX_CONNECTIONS:-200}
password_encryption = 'scram-sha-256'
fsync = on
synchronous_commit = on
full_page_writes = on
logging_collector = off
log_min_messages = warning
log_min_error_statement = error
EOF

    # The port is picked before the server binds it, so another process may win it in between;
    # then we try again with a new one.
    local attempt port timeout="${PG_START_TIMEOUT:-30}"
    for ((attempt = 1; attempt <= 5; attempt++)); do
        port="$(pg_free_port)" || break
        : >"$dir/postgres.log"
        if [[ "$(id -u)" -eq 0 ]]; then
            chown postgres: "$dir/postgres.log"
        fi
        if _pg_as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/postgres.log" --wait \
            --timeout="$timeout" --options="-p $port" start >"$dir/pg_ctl.log" 2>&1; then
            export PG_PORT="$port"
            break
        fi
        if grep -q -i 'address already in use\|could not create any TCP/IP sockets' "$dir/postgres.log"; then
            _pg_as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate stop >/dev/null 2>&1 || true
            continue
        fi
        break
    done
    if [[ -z "${PG_PORT:-}" ]]; then
        echo "pg_start: PostgreSQL failed to start (timeout ${timeout}s); its log says:" >&2
        tail -n 20 "$dir/postgres.log" "$dir/pg_ctl.log" >&2 2>/dev/null || true
        pg_stop
        return 1
    fi

    # pg_ctl --wait already waited; pg_isready over TCP proves the address in the URL answers.
    local isready="$bin/pg_isready"
    [[ -x "$isready" ]] || isready="pg_isready"
    local deadline=$((SECONDS + timeout))
    until "$isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 1 >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            echo "pg_start: PostgreSQL on $PG_HOST:$PG_PORT did not answer pg_isready within ${timeout}s; its log says:" >&2
            tail -n 20 "$dir/postgres.log" >&2 || true
            pg_stop
            return 1
        fi
        sleep 0.2
    done

    export PG_URL="postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/postgres"
}

# Stops the server started by pg_start and deletes its directory. Safe to call more than once.
pg_stop() {
    local dir="${PG_DIR:-}"
    if [[ -n "$dir" && -d "$dir" ]]; then
        if [[ -f "$dir/data/postmaster.pid" ]]; then
            if ! _pg_as_owner "${PG_BIN}/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=30 stop \
                >/dev/null 2>&1; then
                # Only the postmaster this directory names, never anything found by name.
                local pid
                pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
                if [[ "$pid" =~ ^[0-9]+$ ]]; then
                    kill -KILL "$pid" 2>/dev/null || true
                fi
            fi
        fi
        case "$dir" in
            */civitas-pg.*) rm -rf "$dir" ;;
            *) echo "pg_stop: refusing to delete unexpected directory $dir" >&2 ;;
        esac
    fi
    unset PG_DIR PG_PORT PG_URL PG_PASSWORD
}
