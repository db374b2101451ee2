"""The citizen's data usage page end to end, as a browser without JavaScript would see it.

    data_usage_page.py BASE USERNAME PASSWORD EXPECTED...

Opens /account/data-usage (redirected to the login page), logs in with the password, follows the redirect back,
and reads the Georgian page. Succeeds when the page is the data usage list and contains every EXPECTED string;
prints what is missing otherwise. Exit status 0 or 1.
"""

import re
import sys
from urllib.parse import urljoin

import requests

base, username, password, *expected = sys.argv[1:]
browser = requests.Session()
page = browser.get(f"{base}/account/data-usage?lang=ka")
action = re.search(r'action="(/login\?[^"]*)"', page.text)
token = re.findall(r'name="_csrf" value="([^"]+)"', page.text)
if not action or not token:
    sys.exit(f"no login form at /account/data-usage: {page.status_code} {page.text[:200]}")
answer = browser.post(urljoin(base + "/", action.group(1).replace("&amp;", "&")),
                      data={"_csrf": token[-1], "username": username, "password": password},
                      headers={"Origin": base}, allow_redirects=False)
if answer.status_code != 303:
    sys.exit(f"the login answered {answer.status_code}: {answer.text[:200]}")
location = answer.headers.get("Location", "")
if not location.startswith("/account/data-usage"):
    sys.exit(f"the login did not return to the page asked for, but to {location!r}")
page = browser.get(f"{base}/account/data-usage?lang=ka")
missing = [text for text in ["ვინ გამოიყენა ჩემი მონაცემები", *expected] if text not in page.text]
if page.status_code != 200 or missing:
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    sys.exit(f"status {page.status_code}, missing {missing}: {body[:600]}")
