// The controller's first Eip list waits out a server that is starting or unreachable, and stops
// at once, saying what to do, when the CRD is missing or RBAC refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listEipsWhenReady, whyEipsUnlisted } from '../../runtime/src/controller/firstList';

const status = (code: number, message = '', retryAfterSeconds?: number) =>
  Object.assign(new Error(message), { code, body: { kind: 'Status', code, message, details: retryAfterSeconds ? { retryAfterSeconds } : undefined } });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' });

async function run(failures: unknown[]) {
  const waits: number[] = [];
  const logs: string[] = [];
  let calls = 0;
  const list = async () => {
    const f = failures[calls++];
    if (f) throw f;
    return [{ metadata: { name: 'eip' } }];
  };
  const got = await listEipsWhenReady(list, { log: (m) => logs.push(m), sleep: async (ms) => { waits.push(ms); } })
    .catch((e: Error) => e);
  return { got, waits, logs, calls };
}

test('a server that is initializing its storage (429) is waited for, as long as it asks', async () => {
  const r = await run([status(429, 'storage is (re)initializing', 2), status(429, 'storage is (re)initializing', 2)]);
  assert.equal(r.calls, 3);
  assert.deepEqual(r.waits, [2000, 2000]);
  assert.match(r.logs[0], /HTTP 429: storage is \(re\)initializing; trying again in 2\.0 s/);
  assert.ok(Array.isArray(r.got));
});

test('an unreachable server and 5xx answers are retried with backoff', async () => {
  const r = await run([refused(), status(503, 'unavailable'), refused()]);
  assert.equal(r.calls, 4);
  assert.equal(r.waits.length, 3);
  assert.ok(r.waits[2] >= r.waits[0], `backoff grows: ${r.waits}`);
  assert.ok(Array.isArray(r.got));
});

test('a missing CRD is fatal at once and says how to install it', async () => {
  const r = await run([status(404, 'the server could not find the requested resource')]);
  assert.equal(r.calls, 1);
  assert.ok(r.got instanceof Error);
  assert.match(r.got.message, /eips\.network\.kubesphere\.io CRD is not installed \(HTTP 404\); `openelb deploy` installs it/);
});

test('an RBAC refusal is fatal at once and names the cause', async () => {
  const r = await run([status(403, 'eips is forbidden')]);
  assert.equal(r.calls, 1);
  assert.match((r.got as Error).message, /RBAC refused .*HTTP 403: eips is forbidden/);
  assert.match(whyEipsUnlisted(status(400, 'bad')), /cannot list Eips: HTTP 400: bad/);
});
