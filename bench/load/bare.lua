local token = os.getenv("TOKEN")
request = function()
  return wrk.format("GET", "/bench/bare/", {["Authorization"] = "Token " .. token})
end
