-- wrk script: each request opens a different case page, /cas/ID with ID drawn from
-- CASE_FIRST..CASE_LAST (environment), so no answer can come from a cache.
local first = tonumber(os.getenv("CASE_FIRST"))
local last = tonumber(os.getenv("CASE_LAST"))
local counter = 0
request = function()
  counter = counter + 1
  local id = first + (counter * 7919) % (last - first + 1)
  return wrk.format(nil, "/cas/" .. id)
end
