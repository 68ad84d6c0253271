-- A mix of CORS requests for wrk, driven by benchmarks/load.py; every response is checked.
--
-- Each request has its own Origin (https://t<thread>x<n>.tenants.example.com), so a header
-- that leaked from another request or thread shows up as a wrong value. In ten requests:
-- four allowed GETs, two refused GETs (another site), one GET without Origin, two allowed
-- preflights (PUT with two request headers) and one refused preflight (PATCH).
--
-- LOAD_CORS=1 checks the CORS answers exactly; LOAD_CORS=0 (the bare app) checks that no
-- Access-Control-* header is ever sent. done() prints one line for load.py to read:
--   LOADCHECK checked=<n> failures=<n> first=<the first failure, if any>

local cors = os.getenv("LOAD_CORS") == "1"
local kinds = {
  "allowed", "refused", "allowed", "preflight", "none",
  "allowed", "refused_preflight", "allowed", "refused", "preflight",
}
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  checked = 0
  failures = 0
  first_failure = ""
end

function request()
  counter = counter + 1
  local kind = kinds[(counter % #kinds) + 1]
  local tag = "t" .. id .. "x" .. counter
  local method = "GET"
  local headers = { ["X-Request-Id"] = tag }
  if kind == "allowed" then
    headers["Origin"] = "https://" .. tag .. ".tenants.example.com"
  elseif kind == "refused" then
    headers["Origin"] = "https://" .. tag .. ".evil.example"
  elseif kind == "preflight" then
    method = "OPTIONS"
    headers["Origin"] = "https://" .. tag .. ".tenants.example.com"
    headers["Access-Control-Request-Method"] = "PUT"
    headers["Access-Control-Request-Headers"] = "content-type,x-request-id"
  elseif kind == "refused_preflight" then
    method = "OPTIONS"
    headers["Origin"] = "https://" .. tag .. ".tenants.example.com"
    headers["Access-Control-Request-Method"] = "PATCH"
  end
  return wrk.format(method, "/api/items", headers)
end

local TENANT = "^https://t%d+x%d+%.tenants%.example%.com$"
local PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

local function check_cors(status, h)
  local acao = h["access-control-allow-origin"]
  if status == 200 then
    local seen = h["x-seen-origin"] or ""
    if h["x-request-id"] == nil then return "200 without X-Request-Id" end
    if h["vary"] ~= "Origin" then return "200 with Vary " .. tostring(h["vary"]) end
    if string.match(seen, TENANT) then
      if acao ~= seen then return "ACAO " .. tostring(acao) .. " for " .. seen end
      if h["access-control-allow-credentials"] ~= "true" then return "no ACAC for " .. seen end
      if h["access-control-expose-headers"] ~= "x-request-id" then return "no ACEH" end
    elseif acao ~= nil then
      return "ACAO " .. acao .. " for refused origin '" .. seen .. "'"
    end
    return nil
  elseif status == 204 then
    if acao == nil or not string.match(acao, TENANT) then
      return "preflight ACAO " .. tostring(acao)
    end
    if h["access-control-allow-methods"] ~= "GET, PUT, DELETE" then return "preflight ACAM" end
    if h["access-control-allow-headers"] ~= "content-type, x-request-id" then
      return "preflight ACAH " .. tostring(h["access-control-allow-headers"])
    end
    if h["access-control-max-age"] ~= "600" then return "preflight ACMA" end
    if h["vary"] ~= PREFLIGHT_VARY then return "preflight Vary " .. tostring(h["vary"]) end
    return nil
  elseif status == 403 then
    if acao ~= nil then return "refused preflight with ACAO " .. acao end
    return nil
  end
  return "status " .. status
end

local function check_bare(status, h)
  for name, _ in pairs(h) do
    if string.sub(name, 1, 15) == "access-control-" then return "bare app sent " .. name end
  end
  if status ~= 200 and status ~= 204 then return "status " .. status end
  return nil
end

function response(status, headers, body)
  checked = checked + 1
  local h = {}
  for name, value in pairs(headers) do h[string.lower(name)] = value end
  local failure
  if cors then failure = check_cors(status, h) else failure = check_bare(status, h) end
  if failure ~= nil then
    failures = failures + 1
    if first_failure == "" then first_failure = failure end
  end
end

function done(summary, latency, requests)
  local total_checked, total_failures, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    total_checked = total_checked + thread:get("checked")
    total_failures = total_failures + thread:get("failures")
    if first == "" then first = thread:get("first_failure") end
  end
  io.write(string.format("LOADCHECK checked=%d failures=%d first=%s\n",
    total_checked, total_failures, first))
end
