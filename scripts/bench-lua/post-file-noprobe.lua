-- wrk script: post-file.lua without wrk's probe connection.
--   BODY_FILE=q.ocsp CONTENT_TYPE=application/ocsp-request wrk -s post-file-noprobe.lua URL
-- wrk normally opens and closes one connection per address before the run to check that it connects
-- (wrk.resolve). A server that serves one connection at a time and waits for a request on it, such as
-- `openssl ocsp -port`, then never gets past that idle connection. Taking the addresses as looked up
-- skips the probe; a server that is not there then shows as connect errors in the report instead.
function wrk.resolve(host, service)
   wrk.addrs = wrk.lookup(host, service)
end

local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")
