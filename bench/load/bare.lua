-- One path (FLOOR_PATH, default the bare view) with the analyst's token, as the rotation sends it.
local token = os.getenv("TOKEN")
local path = os.getenv("FLOOR_PATH") or "/bench/bare/"
request = function()
  return wrk.format("GET", path, {["Authorization"] = "Token " .. token})
end
