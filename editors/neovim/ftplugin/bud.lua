-- A .bud buffer: `//` comments, and bud's language server attached.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

vim.bo.commentstring = "// %s"
vim.bo.comments = "://"
vim.b.undo_ftplugin = "setlocal commentstring< comments<"

require("bud").attach(vim.api.nvim_get_current_buf())
