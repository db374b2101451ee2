#!/usr/bin/env bash
# shellcheck shell=bash
#
# No username enumeration by timing: the password login answers an unknown username and a wrong password
# for a real account in the same time (the unknown user gets a dummy scrypt verify of the same cost).
# Interleaved samples of both, each from its own loopback source address (127.0.0.0/8 all reaches the
# node) so the per-network throttle does not step in, and at most four wrong passwords per account so
# none is locked. The check is statistical: the medians must be within 20% of each other and a simple
# threshold classifier must do no better than 84% at telling them apart (see the script).
# Sourced by scripts/lib/system-tests.sh, whose helpers (pass, fail, WORK, ROOT, start_server) it uses.

# login_timing_tests: one demo node on SQLite; about 30 password logins.
login_timing_tests() {
    local data="$WORK/timing-demo" out="$WORK/timing"
    rm -rf "$data" "$out"
    mkdir -p "$out"
    expect_ok "civitas demo --no-serve (for the login timing check)" -- \
        "$BINARY" demo --no-serve --data "$data" --persons 20
    local users
    users="$(sqlite3 "$data/civitas.sqlite" "SELECT group_concat(username, ',') FROM identity_accounts")"
    if start_server "timing" -- demo --data "$data" --host 127.0.0.1 --port @PORT@; then
        if "$ROOT/.venv/bin/python" - "$SERVER_PORT" "$users" >"$out/timing.out" 2>&1 <<'PY'; then
import http.client, re, secrets, statistics, sys, time, urllib.parse

port, users = int(sys.argv[1]), sys.argv[2].split(",")
source = iter(range(2, 250))

def attempt(username):
    address = (f"127.0.{next(source)}.1", 0)
    connection = http.client.HTTPConnection("127.0.0.1", port, source_address=address, timeout=30)
    connection.request("GET", "/login")
    page = connection.getresponse()
    body = page.read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', body).group(1)
    cookie = "; ".join(c.split(";")[0] for c in page.headers.get_all("Set-Cookie") if c.startswith("civitas_csrf="))
    form = urllib.parse.urlencode({"_csrf": token, "username": username, "password": "not the password, surely"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
               "Origin": f"http://127.0.0.1:{port}"}
    started = time.perf_counter()
    connection.request("POST", "/login", form, headers)
    answer = connection.getresponse()
    text = answer.read().decode()
    elapsed = time.perf_counter() - started
    connection.close()
    return answer.status, text, elapsed

known, unknown, answers = [], [], set()
attempt("warm.up." + secrets.token_hex(4))
for round in range(4):
    for user in users:
        for kind in ("known", "unknown"):
            name = user if kind == "known" else "nobody." + secrets.token_hex(6)
            status, text, elapsed = attempt(name)
            assert status != 429, f"throttled at round {round}: the check must stay under the limits"
            # The page must not say which: the same status and the same error text.
            answers.add((status, re.sub(r'value="[^"]*"', "", text).replace(name, "USER")))
            (known if kind == "known" else unknown).append(elapsed)
assert len(answers) == 1, f"{len(answers)} different answers for unknown user and wrong password"
mk, mu = statistics.median(known), statistics.median(unknown)
ratio = max(mk, mu) / min(mk, mu)
# The best single threshold between the two samples: how often would it guess right? (This is 0.5 + D/2 for
# the two-sample Kolmogorov-Smirnov statistic D; for 12 + 12 samples of one distribution, D > 0.67 has a
# chance below 0.1%, and a missing dummy verify would give D = 1.)
samples = [(t, 0) for t in known] + [(t, 1) for t in unknown]
def accuracy(cut):
    right = sum(1 for t, is_unknown in samples if (t > cut) == bool(is_unknown)) / len(samples)
    return max(right, 1 - right)
best = max(accuracy(cut) for cut, _ in samples)
print(f"median wrong password {mk*1000:.1f} ms, unknown user {mu*1000:.1f} ms, ratio {ratio:.3f}, "
      f"best threshold accuracy {best:.2f}, n={len(known)}+{len(unknown)}")
assert ratio < 1.2, "the medians differ by 20% or more"
assert best <= 0.84, "a threshold tells them apart"
PY
            pass "unknown user and wrong password answer alike and in the same time ($(tail -n 1 "$out/timing.out"))"
        else
            fail "unknown user and wrong password answer alike and in the same time" "$(tail -n 5 "$out/timing.out")"
            show_server_log
        fi
        stop_server "timing"
    fi
}
