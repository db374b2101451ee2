-- wrk script: POST the bytes of the file named by BODY_FILE with the content type CONTENT_TYPE.
--   BODY_FILE=q.tsq CONTENT_TYPE=application/timestamp-query wrk -s post-file.lua URL
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")
