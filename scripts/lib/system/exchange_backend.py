"""A member's backend for the exchange-node system tests: a plain HTTP service nobody's node wrote.

    python3 exchange_backend.py PORT

GET /api/persons/<number> answers the person as JSON, names them in X-Civitas-Data-Subject (so the provider's
node can record whose data was read), and echoes the X-Road headers it received; POST /api/echo answers the
body it got, and so does POST /api/documents (the large-body test's path). Every request is appended to stdout as one JSON line, so the test can see what reached the backend.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Backend(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self, body=b""):
        seen = {
            "method": self.command,
            "path": self.path,
            "client": self.headers.get("X-Road-Client"),
            "id": self.headers.get("X-Road-Id"),
            "user": self.headers.get("X-Road-UserId"),
            "issue": self.headers.get("X-Road-Issue"),
            "length": len(body),
        }
        print(json.dumps(seen), flush=True)

    def answer(self, status, body, content_type="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.note()
        prefix = "/api/persons/"
        if self.path.startswith(prefix):
            number = self.path[len(prefix):].split("?")[0]
            person = {"personalNumber": number, "givenName": "ნინო", "familyName": "ბერიძე"}
            self.answer(200, json.dumps(person, ensure_ascii=False).encode(), extra={"X-Civitas-Data-Subject": number})
        else:
            self.answer(404, b'{"error":"no such resource"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.note(body)
        if self.path in ("/api/echo", "/api/documents"):
            self.answer(200, body, content_type=self.headers.get("Content-Type", "application/octet-stream"))
        else:
            self.answer(404, b'{"error":"no such resource"}')


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Backend).serve_forever()
