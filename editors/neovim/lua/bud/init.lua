-- Starts `bud lsp` for .bud buffers, one server per folder of decisions, in Neovim 0.7
-- (Debian 12's: `vim.lsp.start_client` and `vim.lsp.buf_attach_client`) and later
-- (`vim.lsp.start`, which finds a running server itself).
--
-- `vim.g.bud_command` is the command that starts the server when `bud` is not on the
-- PATH: `vim.g.bud_command = { "/home/me/bud/target/release/bud", "lsp" }`.

local M = {}

-- The server of each folder, by client id, for Neovim 0.7.
local clients = {}

local function command()
  return vim.g.bud_command or { "bud", "lsp" }
end

-- The folder a decision's imports and data files are read from.
local function folder_of(buffer)
  local name = vim.api.nvim_buf_get_name(buffer)
  if name == "" then
    return vim.fn.getcwd()
  end
  return vim.fn.fnamemodify(name, ":p:h")
end

function M.attach(buffer)
  local cmd = command()
  if vim.fn.executable(cmd[1]) ~= 1 then
    vim.notify("bud: `" .. cmd[1] .. "` is not an executable; set vim.g.bud_command", vim.log.levels.WARN)
    return
  end
  local root = folder_of(buffer)
  if vim.lsp.start then
    vim.lsp.start({ name = "bud", cmd = cmd, root_dir = root }, { bufnr = buffer })
    return
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client({ name = "bud", cmd = cmd, root_dir = root })
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(buffer, id)
  end
end

return M
