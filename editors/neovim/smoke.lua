-- A headless look at what Neovim shows for a .bud file, set up as editors/README.md
-- says (this folder on the runtimepath): run after the file is loaded,
--
--   OUT=/tmp/bud-nvim.txt nvim --headless some.bud -c 'luafile editors/neovim/smoke.lua'
--
-- it writes to $OUT the filetype and comment string, the syntax group at each place
-- $SYNTAX_AT names ("line:column,…", 1-based), the diagnostics as
-- `line:column severity code message` once they arrive, a hover at the first error,
-- then takes the first code action there through `vim.lsp.buf.code_action` (as a user
-- picking it would) and says how many errors are left; opens $ALSO_OPEN, if given, and
-- says whether the running server took it; and quits. Neovim 0.7 and later.

local out = os.getenv("OUT") or "/tmp/bud-nvim.txt"
local lines = {}
local function say(line)
  table.insert(lines, line)
end

local function finish()
  vim.fn.writefile(lines, out)
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop()
  end
  vim.cmd("qa!")
end

say("filetype: " .. vim.bo.filetype)
say("commentstring: " .. vim.bo.commentstring)
for place in (os.getenv("SYNTAX_AT") or ""):gmatch("[^,]+") do
  local line, column = place:match("(%d+):(%d+)")
  local group = vim.fn.synIDattr(vim.fn.synID(tonumber(line), tonumber(column), 1), "name")
  say(string.format("syntax %s:%s %s", line, column, group))
end

local function errors()
  return vim.diagnostic.get(0, { severity = vim.diagnostic.severity.ERROR })
end

local arrived = vim.wait(20000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)
say("diagnostics arrived: " .. tostring(arrived))
for _, d in ipairs(vim.diagnostic.get(0)) do
  local severity = vim.diagnostic.severity[d.severity] or tostring(d.severity)
  local message = (d.message or ""):gsub("\n.*", "")
  say(string.format("%d:%d %s %s %s", d.lnum + 1, d.col + 1, severity, d.code or "", message))
end

local first = errors()[1]
if not first then
  return finish()
end

local params = {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  position = { line = first.lnum, character = first.col },
}
local responses = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}
for _, response in pairs(responses) do
  local contents = response.result and response.result.contents
  if contents and contents.value then
    say("hover: " .. contents.value:gsub("\n", " | "))
  end
end

-- The user's pick, made for them: the first action offered.
vim.ui.select = function(items, options, choose)
  for _, item in ipairs(items) do
    say("code action offered: " .. options.format_item(item))
  end
  choose(items[1], 1)
end
vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
vim.lsp.buf.code_action()
local fixed = vim.wait(20000, function()
  return #errors() == 0
end, 50)
say("errors after the code action: " .. #errors() .. " (cleared: " .. tostring(fixed) .. ")")
say("line after the code action: " .. vim.api.nvim_buf_get_lines(0, first.lnum, first.lnum + 1, false)[1])

-- A second decision of the same folder ($ALSO_OPEN) is served by the same server.
local second = os.getenv("ALSO_OPEN")
if second then
  vim.cmd("edit " .. vim.fn.fnameescape(second))
  local attached = vim.wait(20000, function()
    return #vim.lsp.buf_get_clients(0) > 0 and #vim.diagnostic.get(0) > 0
  end, 50)
  say(string.format(
    "second file: filetype %s, attached %s, servers running %d",
    vim.bo.filetype,
    tostring(attached),
    #vim.lsp.get_active_clients()
  ))
end
finish()
