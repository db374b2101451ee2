"""Whole browserless password logins through OpenID Connect, for scripts/bench.

    password_logins.py BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI USERS PASSWORD LOGINS CONCURRENCY

Each login is what a relying party and a browser do together: GET /oidc/authorize (redirected to the login
page), POST the password, the resumed request goes straight back with a code (the consent is remembered: a
first round per user gives it and is not timed), the code is exchanged at the token endpoint
(client_secret_basic) and userinfo is called. USERS is a comma-separated list; logins go round it. Prints
logins/s and the p50/p99 of one login. With REFRESH_TOKENS_OUT set, the refresh tokens of the timed logins are
written there, one per line (for the refresh-grant benchmark).
"""

import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

base, client_id, secret, redirect_uri, users, password, logins, concurrency = sys.argv[1:9]
users, logins, concurrency = users.split(","), int(logins), int(concurrency)


def login(index, consent=False):
    started = time.perf_counter()
    browser = requests.Session()
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
             "scope": "openid profile", "state": f"s{index}", "nonce": f"n{index}"}
    page = browser.get(f"{base}/oidc/authorize?{urlencode(query)}")
    action = re.search(r'action="(/login\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    token = re.findall(r'name="_csrf" value="([^"]+)"', page.text)[-1]
    answer = browser.post(base + action, data={"_csrf": token, "username": users[index % len(users)],
                                               "password": password}, allow_redirects=False)
    assert answer.status_code == 303, f"login answered {answer.status_code}"
    response = browser.get(urljoin(base + "/", answer.headers["Location"]), allow_redirects=False)
    # Within the site: follow its redirects, choose to act as oneself where the person may act for others, and
    # give the consent in the first, untimed round, until the answer goes to the relying party.
    for _ in range(6):
        location = response.headers.get("Location", "")
        if location.startswith(redirect_uri):
            break
        if location:
            response = browser.get(urljoin(base + "/", location), allow_redirects=False)
            continue
        tokens = re.findall(r'name="_csrf" value="([^"]+)"', response.text)
        request = re.search(r'name="request" value="([^"]+)"', response.text)
        assert tokens and request, f"unexpected page {response.status_code}: {response.text[:200]}"
        if 'action="/oidc/authorize/act"' in response.text:
            form, url = {"principal": "self"}, f"{base}/oidc/authorize/act"
        else:
            assert consent, "the consent was not remembered"
            form, url = {"decision": "allow", "scope": "profile"}, f"{base}/oidc/authorize/consent"
        response = browser.post(url, data={"_csrf": tokens[-1], "request": request.group(1), **form},
                                headers={"Origin": base}, allow_redirects=False)
    location = response.headers.get("Location", "")
    assert location.startswith(redirect_uri), f"no code: {response.status_code} {location[:80]}"
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = requests.post(f"{base}/oidc/token", auth=(client_id, secret),
                           data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
    assert tokens.status_code == 200, tokens.text
    info = requests.get(f"{base}/oidc/userinfo",
                        headers={"Authorization": "Bearer " + tokens.json()["access_token"]})
    assert info.status_code == 200 and "sub" in info.json(), info.text
    refresh_tokens.append(tokens.json()["refresh_token"])
    return time.perf_counter() - started


refresh_tokens = []


for index in range(len(users)):
    login(index, consent=True)
started = time.perf_counter()
with ThreadPoolExecutor(concurrency) as pool:
    durations = sorted(pool.map(login, range(logins)))
elapsed = time.perf_counter() - started
if os.environ.get("REFRESH_TOKENS_OUT"):
    with open(os.environ["REFRESH_TOKENS_OUT"], "w") as out:
        out.write("\n".join(refresh_tokens[len(users):]) + "\n")
print(f"logins {logins} concurrency {concurrency} seconds {elapsed:.2f} logins/s {logins / elapsed:.2f} "
      f"p50_ms {statistics.median(durations) * 1000:.0f} p99_ms {durations[int(len(durations) * 0.99) - 1] * 1000:.0f}")
