-- A headless check that Neovim's built-in LSP client can use `bud lsp`:
--
--   BUD=target/release/bud OUT=/tmp/bud-nvim.txt nvim --headless -u editors/neovim/smoke.lua some.bud
--
-- It starts the server for the file given, waits for its diagnostics, writes them to
-- $OUT as `line:column severity code message`, asks for a hover at the first error,
-- and quits. Works with Neovim 0.7 (Debian 12) and later.

local bud = os.getenv("BUD") or "bud"
local out = os.getenv("OUT") or "/tmp/bud-nvim.txt"

vim.cmd("filetype on")
vim.filetype.add({ extension = { bud = "bud" } })

-- The file named on the command line is loaded after this script runs: start then.
local function check()
local client = vim.lsp.start_client({
  name = "bud",
  cmd = os.getenv("BUD_CMD") and { os.getenv("BUD_CMD") } or { bud, "lsp" },
  root_dir = vim.fn.getcwd(),
})
vim.lsp.buf_attach_client(0, client)

local function errors()
  return vim.diagnostic.get(0, { severity = vim.diagnostic.severity.ERROR })
end

local arrived = vim.wait(20000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)

local lines = { "diagnostics arrived: " .. tostring(arrived) }
for _, d in ipairs(vim.diagnostic.get(0)) do
  local severity = vim.diagnostic.severity[d.severity] or tostring(d.severity)
  local message = (d.message or ""):gsub("\n.*", "")
  table.insert(lines, string.format("%d:%d %s %s %s", d.lnum + 1, d.col + 1, severity, d.code or "", message))
end

local first = errors()[1]
if first then
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    position = { line = first.lnum, character = first.col },
  }
  local responses = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}
  for _, response in pairs(responses) do
    local contents = response.result and response.result.contents
    if contents and contents.value then
      table.insert(lines, "hover: " .. contents.value:gsub("\n", " | "))
    end
  end
end

vim.fn.writefile(lines, out)
vim.lsp.stop_client(client)
vim.cmd("qa!")
end

vim.api.nvim_create_autocmd("VimEnter", { callback = check })
