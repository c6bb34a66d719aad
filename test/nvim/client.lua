-- A headless Neovim as an independent LSP client of the OpenELB language server.
-- Started by neovim.test.ts as:
--   nvim --headless --clean -u NONE -c "luafile test/nvim/client.lua"
-- with OPENELB_SERVER (path of the server bundle), OPENELB_FILE (the YAML file to open),
-- OPENELB_OUT (where to write the JSON result), OPENELB_LINE/OPENELB_CHAR (0-based completion
-- position). Uses only vim.lsp.start_client/buf_attach_client (Neovim 0.7 and later).
-- Writes {diagnostics = [...], completion = [labels], hover = "..."} or {error = "..."}, then quits.

local env = vim.env
local deadline_ms = tonumber(env.OPENELB_TIMEOUT_MS or '15000')

local function write_result(result)
  local f = assert(io.open(env.OPENELB_OUT, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(env.OPENELB_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'yaml'

  local client_id = vim.lsp.start_client({
    name = 'openelb',
    cmd = { env.OPENELB_NODE or 'node', env.OPENELB_SERVER, '--stdio' },
    root_dir = vim.fn.fnamemodify(env.OPENELB_FILE, ':p:h'),
  })
  assert(client_id, 'vim.lsp.start_client returned nil')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed')

  -- Wait (with a deadline, polling every 20 ms) for the server's diagnostics.
  local got = vim.wait(deadline_ms, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 20)
  assert(got, 'no diagnostics within ' .. deadline_ms .. ' ms')

  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(diagnostics, {
      code = d.code, source = d.source, severity = d.severity, message = d.message,
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    })
  end

  local uri = vim.uri_from_bufnr(bufnr)
  local position = { line = tonumber(env.OPENELB_LINE), character = tonumber(env.OPENELB_CHAR) }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion',
    { textDocument = { uri = uri }, position = position }, deadline_ms)
  assert(responses, 'no completion response within ' .. deadline_ms .. ' ms')
  local labels = {}
  for _, response in pairs(responses) do
    assert(not response.err, 'completion error: ' .. vim.inspect(response.err))
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do table.insert(labels, item.label) end
  end

  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover',
    { textDocument = { uri = uri }, position = { line = tonumber(env.OPENELB_HOVER_LINE), character = tonumber(env.OPENELB_HOVER_CHAR) } }, deadline_ms)
  local hover_text = ''
  for _, response in pairs(hover or {}) do
    if response.result and response.result.contents then hover_text = response.result.contents.value or '' end
  end

  write_result({ diagnostics = diagnostics, completion = labels, hover = hover_text })
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.client_is_stopped(client_id) end, 20)
end

local ok, err = pcall(run)
if not ok then
  pcall(write_result, { error = tostring(err) })
end
vim.cmd('qall!')
