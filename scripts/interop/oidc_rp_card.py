"""A relying party nobody here wrote logs a citizen in with the software eID card at the high level.

    oidc_rp_card.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI CIVITAS CARD_FILE PIN

Authlib asks for acr_values=http://eidas.europa.eu/LoA/high with PKCE. The "browser" (requests) follows the
node to its login page, picks the eID card, reads the login code from the waiting page, and the card answers
it with `civitas card login` (the card file's PIN unlocks its key, which signs the challenge). The browser's
next refresh leaves the waiting page, the consent is given, and Authlib exchanges the code; joserfc verifies
the ID token, which must say acr high and amr ["sc"]. Prints one PASS/FAIL line per check; exits 1 if any failed.
"""

import re
import subprocess
import sys
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

issuer, client_id, secret, redirect_uri, civitas, card_file, pin = sys.argv[1:8]
HIGH = "http://eidas.europa.eu/LoA/high"
failures = 0


def check(name, condition, detail=""):
    global failures
    print(("PASS: " if condition else "FAIL: ") + name + ("" if condition else f" ({detail})"))
    if not condition:
        failures += 1
    return condition


discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
check("discovery offers the high level", HIGH in discovery.get("acr_values_supported", []),
      discovery.get("acr_values_supported"))
keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
rp = OAuth2Session(client_id, secret, scope="openid profile", redirect_uri=redirect_uri,
                   code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
verifier, nonce = generate_token(64), generate_token(16)
url, state = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
                                         acr_values=HIGH)

browser = requests.Session()
page = browser.get(url, headers={"Accept-Language": "en"})
card_link = re.search(r'href="(/login/card\?[^"]+)"', page.text)
if not check("the login page for a high-level request offers the eID card", card_link is not None, page.url):
    sys.exit(1)
page = browser.get(urljoin(issuer + "/", card_link.group(1).replace("&amp;", "&")), headers={"Accept": "text/html"})
waiting = re.search(r'url=(/login/card/[0-9a-f]{32}[^"]*)"', page.text)
code = re.search(r"[0-9]{4}-[0-9]{4}", page.text)
if not check("the card login page shows a code and refreshes itself", waiting and code, page.text[:200]):
    sys.exit(1)
answered = subprocess.run([civitas, "card", "login", "--url", issuer, "--file", card_file, "--pin", pin,
                           "--code", code.group(0)], capture_output=True, text=True, timeout=60)
check("civitas card login answers with the card", answered.returncode == 0, answered.stderr[-300:])

response = browser.get(urljoin(issuer + "/", waiting.group(1).replace("&amp;", "&")), headers={"Accept": "text/html"},
                       allow_redirects=False)
query = None
for _ in range(10):
    location = response.headers.get("Location")
    if location is None:
        consent = re.search(r'name="request" value="([^"]+)"', response.text)
        token = re.search(r'name="_csrf" value="([^"]+)"', response.text)
        if consent is None or token is None:
            break
        response = browser.post(f"{issuer}/oidc/authorize/consent",
                                data={"_csrf": token.group(1), "request": consent.group(1), "decision": "allow",
                                      "scope": ["profile"]}, headers={"Origin": issuer}, allow_redirects=False)
        continue
    if location.startswith(redirect_uri):
        query = parse_qs(urlsplit(location).query)
        break
    response = browser.get(urljoin(issuer + "/", location), allow_redirects=False)
if not check("after the card's answer the browser comes back to the relying party with a code and the state",
             query is not None and "code" in query and query.get("state") == [state], response.status_code):
    sys.exit(1)

callback = redirect_uri + "?" + urlencode({k: v[0] for k, v in query.items()})
tokens = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
claims = jwt.decode(tokens["id_token"], keys, algorithms=["ES256"]).claims
check("joserfc verifies the ID token of the card login", claims["iss"] == issuer and claims["aud"] == client_id, claims)
check("the ID token says the high level, a smart card and the nonce",
      claims.get("acr") == HIGH and claims.get("amr") == ["sc"] and claims.get("nonce") == nonce, claims)
info = rp.get(discovery["userinfo_endpoint"]).json()
check("userinfo answers for the card holder", info.get("sub") == claims["sub"] and "given_name" in info, info)

print(f"oidc-card: {failures} failed")
sys.exit(1 if failures else 0)
