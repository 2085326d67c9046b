-- Rotates over list, search, analytics and dashboard requests; TOKEN, SESSION and CSRF (the cookies a
-- signed-in browser sends) from the environment.
-- Counts the API's X-Cache answers (hit / miss) per thread; done() prints them for bench/load.sh.
local token = os.getenv("TOKEN")
local session = os.getenv("SESSION")
local csrf = os.getenv("CSRF")
local paths = {
  "/api/products/?page_size=50",
  "/api/sales/?category=Books",
  "/api/users/?ordering=-joined_at",
  "/api/feedback/?rating_min=4",
  "/api/search/?q=camera",
  "/api/search/?q=espreso&type=product",
  "/api/search/autocomplete/?q=sh",
  "/api/analytics/kpis/",
  "/api/analytics/revenue_over_time/",
  "/api/analytics/top_products/",
  "/",
}
local threads = {}
setup = function(thread) table.insert(threads, thread) end

local i = 0
hits, misses = 0, 0
request = function()
  i = i + 1
  local p = paths[(i % #paths) + 1]
  return wrk.format("GET", p, {["Authorization"] = "Token " .. token, ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf})
end

response = function(status, headers, body)
  local state = headers["X-Cache"]
  if state == "hit" then hits = hits + 1 elseif state == "miss" then misses = misses + 1 end
end

done = function(summary, latency, requests)
  local h, m = 0, 0
  for _, thread in ipairs(threads) do h = h + thread:get("hits"); m = m + thread:get("misses") end
  io.write(string.format("cache: %d hits, %d misses\n", h, m))
end
