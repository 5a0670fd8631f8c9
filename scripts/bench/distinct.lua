-- wrk script: every request asks a different URL (an ignored query parameter), as people do,
-- so nothing can be answered from a cache of an earlier response.
local counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "n=" .. counter)
end
