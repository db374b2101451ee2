"""Load for the exchange-node system tests: concurrent member-system calls through a client node.

    python3 exchange_load.py URL CLIENT SECONDS WORKERS OUT

Each worker calls URL with X-Road-Client CLIENT and a unique X-Road-Id for SECONDS; every id that got a 200
answer is written to OUT, one per line, as soon as the answer is complete, so that a provider killed midway
leaves in OUT exactly the calls that were answered.
"""

import sys
import threading
import time
import urllib.error
import urllib.request

url, client, seconds, workers, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
deadline = time.monotonic() + seconds
lock = threading.Lock()
answered = open(out, "w", encoding="utf-8")
counts = {"ok": 0, "failed": 0}


def work(worker):
    n = 0
    while time.monotonic() < deadline:
        n += 1
        query = f"load-{worker}-{n}"
        request = urllib.request.Request(url, headers={"X-Road-Client": client, "X-Road-Id": query})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                ok = response.status == 200
        except (urllib.error.URLError, OSError):
            ok = False
        with lock:
            if ok:
                answered.write(query + "\n")
                answered.flush()
                counts["ok"] += 1
            else:
                counts["failed"] += 1
                time.sleep(0.05)


threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
answered.close()
print(f"{counts['ok']} answered, {counts['failed']} failed")
