local M = {}

local defaults = {
  name = "fixture",
  retries = 3,
  timeout = 30,
}

function M.greet(name)
  return "Hello, " .. name .. "! This is the golden fixture speaking."
end

local function helper(value)
  if value == nil then
    return defaults.name
  end
  return tostring(value) .. " (converted by the helper function)"
end

M.helper = helper
return M
