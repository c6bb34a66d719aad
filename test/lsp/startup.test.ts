// Start-up order: the server answers `initialize` at once and compiles its hot paths (the JIT
// warm-up, server/src/lsp/idleWarmUp.ts) only after `initialized`, in idle time; a file opened
// right away first has what is left of the warm-up run, so it is still checked by compiled
// code. The order is read from the server's own log line "warm-up done", never from timings.
import assert from 'node:assert/strict';
import { before, test, type TestContext } from 'node:test';
import { ensureBuilt, LspClient, PUSH_CAPABILITIES } from '../harness/support/lspClient';
import { poll } from '../harness/support/poll';
import { MISTAKES, MISTAKES_EXPECTED } from './samples';

const WARM_DONE = /^warm-up done: (\d+) rounds/;
const warmDone = (c: LspClient) => c.logs.find((l) => WARM_DONE.test(l.message));
const initializeParams = (initializationOptions: Record<string, unknown>) => ({
  processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: PUSH_CAPABILITIES, initializationOptions,
});

before(() => ensureBuilt());

/** A fresh server, shut down when the test ends (also when it fails). */
function startServer(t: TestContext): LspClient {
  const c = LspClient.start();
  t.after(async () => { if (c.alive) await c.shutdown(); });
  return c;
}

test('initialize is answered before the warm-up, which runs after initialized', async (t) => {
  const c = startServer(t);
  await c.request('initialize', initializeParams({ debounceMs: 0 }));
  assert.equal(warmDone(c), undefined, 'the warm-up ran inside initialize');
  c.notify('initialized', {});
  const done = await poll('the warm-up done log line', () => warmDone(c), { timeoutMs: 20_000, everyMs: 20, context: () => c.stderr });
  assert.ok(Number(WARM_DONE.exec(done.message)![1]) > 0, `no warm-up round ran: ${done.message}`);
  assert.deepEqual(c.loggedErrors, []);
});

test('a file opened at once is checked after the rest of the warm-up, and correctly', async (t) => {
  const c = startServer(t);
  // A budget far beyond the round cap: left alone, the warm-up would run for a while.
  await c.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: 0, warmUpMs: 600_000 } });
  const uri = 'file:///work/startup.yaml';
  c.open(uri, MISTAKES);
  const diags = await c.waitForCurrentDiagnostics(uri);
  assert.ok(warmDone(c), 'the first file was checked before the warm-up had finished (by code not compiled yet)');
  // The warm-up's own Eips (10.x pools) stay in its scratch service: exactly the file's problems.
  assert.deepEqual(diags.map((d) => [String(d.code), d.range.start.line]).sort(), MISTAKES_EXPECTED.map((e) => [e[0], e[2]]).sort());
  assert.ok((await c.completion(uri, { line: 1, character: 0 })).length > 0, 'no completion after the warm-up');
  assert.deepEqual(c.loggedErrors, []);
});
