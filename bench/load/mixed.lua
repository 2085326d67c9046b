-- Rotates over list, search, analytics and dashboard requests; TOKEN and SESSION from the environment.
local token = os.getenv("TOKEN")
local session = os.getenv("SESSION")
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
local i = 0
request = function()
  i = i + 1
  local p = paths[(i % #paths) + 1]
  return wrk.format("GET", p, {["Authorization"] = "Token " .. token, ["Cookie"] = "sessionid=" .. session})
end
