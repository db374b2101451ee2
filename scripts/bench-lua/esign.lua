-- wrk script: POST a CAdES signature request over a SHA-256 hash to the GovStack eSignature API.
--   ESIGN_TOKEN=civ_... ESIGN_CERTIFICATE_ID=<64 hex> wrk -s esign.lua http://127.0.0.1:8080
-- ESIGN_HASH (base64 of 32 bytes) is optional; every request signs the same hash, as a relying party
-- signing many copies of one form would.
local token = assert(os.getenv("ESIGN_TOKEN"), "set ESIGN_TOKEN to an API client token (signatures scope)")
local id = assert(os.getenv("ESIGN_CERTIFICATE_ID"), "set ESIGN_CERTIFICATE_ID to a service-held certificate")
-- The default is the SHA-256 of "abc".
local hash = os.getenv("ESIGN_HASH") or "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
wrk.method = "POST"
wrk.path = "/esignature/v1/sign/certificateId/" .. id
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"format": "CAdES", "hash": "' .. hash .. '", "hashType": "SHA2-256", '
    .. '"dataToBeDisplayed": "benchmark", "requestTimestamp": "2026-01-01T00:00:00Z"}'

local failures = 0
response = function(status, headers, body)
    if status ~= 200 then
        failures = failures + 1
        if failures <= 3 then io.stderr:write("esign.lua: status " .. status .. ": " .. body .. "\n") end
    end
end
