-- wrk script: OAuth 2.0 token requests, grant_type=refresh_token, the client authenticated by HTTP Basic
-- (client_secret_basic), each thread walking its own chain of refresh tokens.
--   CLIENT_ID=... CLIENT_SECRET=... TOKENS_FILE=tokens wrk -t4 -c4 -d10s -s token-refresh.lua TOKEN_URL
--
-- TOKENS_FILE holds one refresh token a line, each from its own login; thread i takes line i (setup fails when
-- there are fewer lines than threads). Run with as many connections as threads (-tN -cN): then a thread's requests
-- are sequential, and after each answer the thread sends the refresh_token of that answer's JSON body, so servers
-- that rotate refresh tokens (and revoke the family when an old one comes back) see a well-behaved client. When an
-- answer carries no refresh_token (a server that does not rotate), the thread keeps the one it has.
--
-- When the run ends it prints, on lines starting "token-refresh.lua:", the non-200 answers (with the first few
-- bodies) and how many 200 answers carried a new refresh token. With more connections than threads, two requests
-- of one thread would carry the same token: a rotating server refuses the second and then, seeing a token reused,
-- the whole family, so that mistake shows as non-200 answers.

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
local tokens_file = assert(os.getenv("TOKENS_FILE"), "set TOKENS_FILE to a file of refresh tokens, one a line")

local headers = {
    ["Authorization"] = "Basic " .. base64(form(id) .. ":" .. form(secret)),
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
}

-- Main state: hand line i of TOKENS_FILE to thread i, and keep the threads to collect their counts in done().
local threads = {}
function setup(thread)
    local tokens = {}
    for line in io.lines(tokens_file) do
        if line ~= "" then tokens[#tokens + 1] = line end
    end
    local i = #threads + 1
    assert(tokens[i], "token-refresh.lua: " .. tokens_file .. " has " .. #tokens .. " tokens, thread " .. i
        .. " needs one")
    threads[i] = thread
    thread:set("token", tokens[i])
end

-- Thread state. `token` is set by setup. wrk also calls request() once on the first thread before it connects, to
-- check what it returns; nothing is sent then, so no token is spent.
failures = 0
samples = ""
rotated = 0
kept = 0

function request()
    return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. form(token or ""))
end

function response(status, headers, body)
    if status == 200 then
        local new = body and body:match('"refresh_token"%s*:%s*"([^"]*)"')
        if new and new ~= "" then
            new = new:gsub("\\/", "/")
            if new ~= token then rotated = rotated + 1 else kept = kept + 1 end
            token = new
        else
            kept = kept + 1
        end
    else
        failures = failures + 1
        if failures <= 3 then
            samples = samples .. "  status " .. status .. ": " .. (body or ""):sub(1, 300) .. "\n"
        end
    end
end

function done(summary, latency, requests)
    local total, new, same, text = 0, 0, 0, ""
    for _, thread in ipairs(threads) do
        total = total + (thread:get("failures") or 0)
        new = new + (thread:get("rotated") or 0)
        same = same + (thread:get("kept") or 0)
        text = text .. (thread:get("samples") or "")
    end
    io.write(string.format("token-refresh.lua: %d non-200 answers of %d\n", total, summary.requests))
    if text ~= "" then io.write(text) end
    io.write(string.format("token-refresh.lua: %d answers rotated the refresh token, %d kept it\n", new, same))
end
