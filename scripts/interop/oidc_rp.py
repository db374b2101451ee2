"""A relying party nobody here wrote: Authlib runs the OpenID Connect code flow with PKCE against a live node.

    oidc_rp.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME ACTIVATION_CODE NEW_PASSWORD \
        [EDDSA_CLIENT_ID EDDSA_CLIENT_SECRET]

It logs in through the node's HTML forms as a browser would (the first login replaces the activation code
with a new password), agrees on the consent page, exchanges the code with client_secret_basic and the PKCE
verifier, verifies the ID token with joserfc against the published JWKS, refreshes (and checks that the old
refresh token is refused afterwards), calls userinfo by GET and POST, and checks the error answers for an
unregistered redirect URI, a reused code and prompt=none without a session. Prints one PASS/FAIL line per
check; exits 1 if any failed.
With a second client registered with id_token_signed_response_alg=EdDSA, it also runs the flow
for that client in the same browser session and has joserfc verify its Ed25519 ID token (RFC 8037) with the
published JWKS.
"""

import re
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

issuer, client_id, secret, redirect_uri, username, activation, new_password = sys.argv[1:8]
failures = 0


def check(name, condition, detail=""):
    global failures
    print(("PASS: " if condition else "FAIL: ") + name + ("" if condition else f" ({detail})"))
    if not condition:
        failures += 1


def csrf(browser, html):
    match = re.search(r'name="_csrf" value="([^"]+)"', html)
    return match.group(1) if match else ""


def follow_to_callback(browser, response):
    """Follows redirects by hand until one goes to the relying party's redirect URI; returns its query."""
    for _ in range(10):
        location = response.headers.get("Location")
        if location is None:
            return None, response
        if location.startswith(redirect_uri):
            return parse_qs(urlsplit(location).query), response
        response = browser.get(requests.compat.urljoin(issuer + "/", location), allow_redirects=False)
    return None, response


discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
check("discovery names the issuer", discovery["issuer"] == issuer, discovery.get("issuer"))
keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())

rp = OAuth2Session(client_id, secret, scope="openid profile age", redirect_uri=redirect_uri,
                   code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
verifier = generate_token(64)
nonce = generate_token(16)
url, state = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
                                         ui_locales="ka")

browser = requests.Session()
page = browser.get(url, allow_redirects=True)
check("the authorization request leads to the login page", "/login" in page.url and 'name="password"' in page.text,
      page.url)
check("the login page is in Georgian (ui_locales=ka)", 'lang="ka"' in page.text)
login_action = re.search(r'action="(/login\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
response = browser.post(issuer + login_action, data={"_csrf": csrf(browser, page.text), "username": username,
                                                       "password": "wrong password for sure"},
                        allow_redirects=False)
check("a wrong password is refused with 401", response.status_code == 401, response.status_code)
response = browser.post(issuer + login_action, data={"_csrf": csrf(browser, page.text), "username": username,
                                                       "password": activation}, allow_redirects=False)
check("the activation code logs in and asks for a new password",
      response.status_code == 303 and "/login/password" in response.headers.get("Location", ""),
      response.status_code)
page = browser.get(issuer + response.headers["Location"])
change_action = re.search(r'action="(/login/password\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
weak = browser.post(issuer + change_action, data={"_csrf": csrf(browser, page.text), "new_password": "password1234",
                                                    "repeat_password": "password1234"}, allow_redirects=False)
check("a common password is refused", weak.status_code == 422, weak.status_code)
response = browser.post(issuer + change_action, data={"_csrf": csrf(browser, page.text), "new_password": new_password,
                                                        "repeat_password": new_password}, allow_redirects=False)
check("the new password is accepted", response.status_code == 303, response.status_code)
page = browser.get(requests.compat.urljoin(issuer + "/", response.headers["Location"]), allow_redirects=True)
check("the consent page names the relying party", "consent" in page.url or 'name="decision"' in page.text, page.url)
request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
response = browser.post(f"{issuer}/oidc/authorize/consent",
                        data={"_csrf": csrf(browser, page.text), "request": request_id, "decision": "allow",
                              "scope": ["profile", "age"]}, headers={"Origin": issuer}, allow_redirects=False)
query, _ = follow_to_callback(browser, response)
check("consent sends the browser back with a code, the state and iss",
      query is not None and "code" in query and query.get("state") == [state] and query.get("iss") == [issuer],
      query)

callback = redirect_uri + "?" + urlencode({k: v[0] for k, v in query.items()})
token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
check("Authlib exchanges the code (client_secret_basic, PKCE)", "id_token" in token and "access_token" in token, token)
claims = jwt.decode(token["id_token"], keys, algorithms=["ES256"]).claims
check("joserfc verifies the ID token with the JWKS", claims["iss"] == issuer and claims["aud"] == client_id, claims)
check("the ID token carries the nonce, auth_time, acr and amr",
      claims.get("nonce") == nonce and "auth_time" in claims and claims.get("acr", "").endswith("/low")
      and claims.get("amr") == ["pwd"], claims)
check("the ID token is current", claims["exp"] > time.time() >= claims["iat"] - 5, claims)

for method in ("GET", "POST"):
    info = rp.request(method, discovery["userinfo_endpoint"])
    body = info.json()
    check(f"userinfo by {method} answers for the same sub with the consented claims",
          info.status_code == 200 and body.get("sub") == claims["sub"] and "given_name#ka" in body
          and body.get("age_over_18") is True, body)

old_refresh = token["refresh_token"]
refreshed = rp.refresh_token(discovery["token_endpoint"], refresh_token=old_refresh)
check("the refresh token gives new tokens and a new refresh token",
      "access_token" in refreshed and refreshed.get("refresh_token") != old_refresh, refreshed)
replay = requests.post(discovery["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": old_refresh},
                       auth=(client_id, secret), timeout=10)
check("the rotated-out refresh token is refused", replay.status_code == 400 and replay.json()["error"] == "invalid_grant",
      replay.text)
again = requests.post(discovery["token_endpoint"], data={"grant_type": "authorization_code", "code": query["code"][0],
                                                         "redirect_uri": redirect_uri, "code_verifier": verifier},
                      auth=(client_id, secret), timeout=10)
check("a reused code is refused", again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text)

evil, _ = OAuth2Session(client_id, secret, scope="openid", redirect_uri="https://evil.example/cb").create_authorization_url(
    discovery["authorization_endpoint"])
response = requests.get(evil, allow_redirects=False, timeout=10)
check("an unregistered redirect URI gets an error page, not a redirect",
      response.status_code == 400 and "Location" not in response.headers, response.status_code)
silent, _ = rp.create_authorization_url(discovery["authorization_endpoint"], prompt="none", code_verifier=verifier)
response = requests.get(silent, allow_redirects=False, timeout=10)
check("prompt=none without a session answers login_required at the redirect URI",
      "error=login_required" in response.headers.get("Location", ""), response.headers.get("Location"))

if len(sys.argv) > 9:
    ed_id, ed_secret = sys.argv[8:10]
    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    okp = [key for key in jwks["keys"] if key.get("kty") == "OKP"]
    check("the JWKS publishes an Ed25519 key as RFC 8037 spells it (kty OKP, crv Ed25519, x)",
          len(okp) >= 1 and okp[0].get("crv") == "Ed25519" and len(okp[0].get("x", "")) == 43
          and "d" not in okp[0], okp)
    check("discovery lists EdDSA among the ID token signing algorithms",
          "EdDSA" in discovery.get("id_token_signing_alg_values_supported", []), discovery)
    ed = OAuth2Session(ed_id, ed_secret, scope="openid profile", redirect_uri=redirect_uri,
                       code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    ed_verifier = generate_token(64)
    ed_nonce = generate_token(16)
    url, ed_state = ed.create_authorization_url(discovery["authorization_endpoint"], code_verifier=ed_verifier,
                                                nonce=ed_nonce)
    page = browser.get(url, allow_redirects=True)
    ed_request = re.search(r'name="request" value="([^"]+)"', page.text)
    check("the EdDSA client gets the consent page in the same session", ed_request is not None, page.url)
    if ed_request is not None:
        response = browser.post(f"{issuer}/oidc/authorize/consent",
                                data={"_csrf": csrf(browser, page.text), "request": ed_request.group(1),
                                      "decision": "allow", "scope": ["profile"]},
                                headers={"Origin": issuer}, allow_redirects=False)
        ed_query, _ = follow_to_callback(browser, response)
        check("the EdDSA client gets its code", ed_query is not None and ed_query.get("state") == [ed_state], ed_query)
        ed_callback = redirect_uri + "?" + urlencode({k: v[0] for k, v in ed_query.items()})
        ed_token = ed.fetch_token(discovery["token_endpoint"], authorization_response=ed_callback,
                                  code_verifier=ed_verifier)
        ed_keys = KeySet.import_key_set(jwks)
        decoded = jwt.decode(ed_token["id_token"], ed_keys, algorithms=["EdDSA"])
        check("joserfc verifies the EdDSA client's ID token with the JWKS (alg EdDSA, the OKP key's kid)",
              decoded.header.get("alg") == "EdDSA" and decoded.header.get("kid") in [k.get("kid") for k in okp]
              and decoded.claims.get("aud") == ed_id and decoded.claims.get("nonce") == ed_nonce
              and decoded.claims.get("sub") == claims["sub"], decoded.header)
        try:
            jwt.decode(ed_token["id_token"], ed_keys, algorithms=["ES256"])
            check("joserfc refuses the EdDSA ID token when only ES256 is allowed", False, "accepted")
        except Exception:
            check("joserfc refuses the EdDSA ID token when only ES256 is allowed", True)
        forged = ed_token["id_token"][:-4] + ("AAAA" if not ed_token["id_token"].endswith("AAAA") else "BBBB")
        try:
            jwt.decode(forged, ed_keys, algorithms=["EdDSA"])
            check("joserfc refuses a forged EdDSA signature", False, "accepted")
        except Exception:
            check("joserfc refuses a forged EdDSA signature", True)
        access_header = jwt.decode(ed_token["access_token"], ed_keys, algorithms=["ES256"]).header
        check("the EdDSA client's access token stays ES256", access_header.get("alg") == "ES256", access_header)

print(f"oidc: {failures} failed")
sys.exit(1 if failures else 0)
