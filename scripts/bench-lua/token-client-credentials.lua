-- wrk script: OAuth 2.0 token requests, grant_type=client_credentials, the client authenticated by HTTP Basic
-- (client_secret_basic).
--   CLIENT_ID=... CLIENT_SECRET=... SCOPE=... wrk -t2 -c32 -d10s -s token-client-credentials.lua TOKEN_URL
-- SCOPE may be empty (then no scope parameter is sent). Answers other than 200 are counted per thread; the total
-- and the first few bodies are printed when the run ends, on a line starting "token-client-credentials.lua:".

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
    local out = {}
    for i = 1, #s, 3 do
        local a, b, c = s:byte(i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local function digit(shift) local d = math.floor(n / shift) % 64 return alphabet:sub(d + 1, d + 1) end
        out[#out + 1] = digit(262144) .. digit(4096) .. (b and digit(64) or "=") .. (c and digit(1) or "=")
    end
    return table.concat(out)
end

-- application/x-www-form-urlencoded, as RFC 6749 section 2.3.1 asks for the Basic credentials too.
local function form(s)
    return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local id = assert(os.getenv("CLIENT_ID"), "set CLIENT_ID")
local secret = assert(os.getenv("CLIENT_SECRET"), "set CLIENT_SECRET")
local scope = os.getenv("SCOPE") or ""

wrk.method = "POST"
wrk.headers["Authorization"] = "Basic " .. base64(form(id) .. ":" .. form(secret))
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "grant_type=client_credentials" .. (scope ~= "" and ("&scope=" .. form(scope)) or "")

-- Main state: the threads, to collect their counts in done().
local threads = {}
function setup(thread)
    threads[#threads + 1] = thread
end

-- Thread state.
failures = 0
samples = ""

function response(status, headers, body)
    if status ~= 200 then
        failures = failures + 1
        if failures <= 3 then
            samples = samples .. "  status " .. status .. ": " .. (body or ""):sub(1, 300) .. "\n"
        end
    end
end

function done(summary, latency, requests)
    local total, text = 0, ""
    for _, thread in ipairs(threads) do
        total = total + (thread:get("failures") or 0)
        text = text .. (thread:get("samples") or "")
    end
    io.write(string.format("token-client-credentials.lua: %d non-200 answers of %d\n", total,
        summary.requests))
    if text ~= "" then io.write(text) end
end
