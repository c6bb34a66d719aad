// The shared informer (runtime/src/kube/informer.ts) over a fake transport: list then watch at
// the list's version, the cache and its events, re-listing after 410 Gone (with deletes for what
// vanished), backoff after failures and its reset, reopening after an API server restart, stop.
// And the Backoff it uses.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Backoff } from '../../runtime/src/kube/backoff';
import { Informer, type InformerTransport, type ListPage, type WatchEventType, type WatchHandle } from '../../runtime/src/kube/informer';
import { poll } from '../harness/support/poll';

const obj = (name: string, rv: string, namespace?: string): KubernetesObject => ({ metadata: { name, namespace, resourceVersion: rv } });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });

interface OpenWatch {
  rv: string;
  event(type: WatchEventType, object: unknown): void;
  end(err?: unknown): void;
  aborted: boolean;
}

/** A scripted API server: each list answers from `lists` (an Error rejects); watches are kept open. */
class FakeServer implements InformerTransport<KubernetesObject> {
  lists: (ListPage<KubernetesObject> | Error)[] = [];
  listCalls = 0;
  watches: OpenWatch[] = [];
  /** Errors the next watch() calls fail with, before any event. */
  watchFailures: unknown[] = [];

  async list(): Promise<ListPage<KubernetesObject>> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) throw new Error('unexpected list');
    if (next instanceof Error) throw next;
    return next;
  }

  async watch(rv: string, onEvent: (t: WatchEventType, o: unknown) => void, onEnd: (err?: unknown) => void): Promise<WatchHandle> {
    const failure = this.watchFailures.shift();
    if (failure) { onEnd(failure); return { abort() {} }; }
    const w: OpenWatch = { rv, event: onEvent, end: onEnd, aborted: false };
    this.watches.push(w);
    return { abort() { w.aborted = true; } };
  }

  get last(): OpenWatch {
    return this.watches[this.watches.length - 1];
  }
}

const until = (what: string, cond: () => boolean) => poll(what, cond, { timeoutMs: 3000, everyMs: 2 });

/** An informer with fast, jitter-free backoff (10, 20, 40, 80 ms) recording what it reports. */
function rig(server = new FakeServer(), minWatchMs = 0) {
  const inf = new Informer(server, { backoff: { baseMs: 10, maxMs: 80, random: () => 1 }, minWatchMs });
  const seen: string[] = [];
  const errors: { err: unknown; retryInMs: number }[] = [];
  let connects = 0;
  for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, (o) => seen.push(`${verb} ${o.metadata?.name}@${o.metadata?.resourceVersion}`));
  inf.on('error', (err, retryInMs) => errors.push({ err, retryInMs }));
  inf.on('connect', () => { connects++; });
  running.push(inf);
  return { inf, server, seen, errors, connects: () => connects };
}

const running: Informer<KubernetesObject>[] = [];
afterEach(async () => { for (const i of running.splice(0)) await i.stop(); });

describe('informer', () => {
  it('lists, then watches from the list version, keeping the cache and reporting each change', async () => {
    const { inf, server, seen, connects } = rig();
    server.lists.push({ items: [obj('a', '5', 'ns'), obj('n1', '6')], metadata: { resourceVersion: '10' } });
    await inf.start();
    assert.equal(inf.synced, true);
    assert.equal(connects(), 1);
    await until('the watch', () => server.watches.length === 1);
    assert.equal(server.last.rv, '10');
    server.last.event('ADDED', obj('b', '11', 'ns'));
    server.last.event('MODIFIED', obj('a', '12', 'ns'));
    server.last.event('MODIFIED', obj('a', '12', 'ns')); // same version: no update
    server.last.event('DELETED', obj('n1', '13'));
    server.last.event('BOOKMARK', { metadata: { resourceVersion: '20' } });
    assert.deepEqual(seen, ['add a@5', 'add n1@6', 'add b@11', 'update a@12', 'delete n1@13']);
    assert.deepEqual(inf.list().map((o) => o.metadata?.name).sort(), ['a', 'b']);
    assert.equal(inf.get('a', 'ns')?.metadata?.resourceVersion, '12');
    assert.equal(inf.get('n1'), undefined);
    assert.deepEqual(inf.list('ns').length, 2);
    // The server closes the watch (its timeout): reopened at once at the last version, no list.
    server.last.end();
    await until('a second watch', () => server.watches.length === 2);
    assert.equal(server.last.rv, '20');
    assert.equal(server.listCalls, 1);
  });

  it('re-lists after a 410 Gone ERROR event and reports what vanished meanwhile as deleted', async () => {
    const { inf, server, seen, errors } = rig();
    server.lists.push({ items: [obj('a', '1'), obj('b', '2')], metadata: { resourceVersion: '2' } });
    await inf.start();
    await until('the watch', () => server.watches.length === 1);
    server.lists.push({ items: [obj('b', '2'), obj('c', '40')], metadata: { resourceVersion: '41' } });
    server.last.event('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 2 (30)' });
    server.last.end();
    await until('a watch at the new list version', () => server.watches.length === 2);
    assert.equal(server.last.rv, '41');
    assert.equal(server.listCalls, 2);
    assert.deepEqual(seen, ['add a@1', 'add b@2', 'delete a@1', 'add c@40']);
    assert.deepEqual(errors, [], '410 is routine, not an error');
  });

  it('re-lists when the watch itself answers HTTP 410', async () => {
    const { inf, server } = rig();
    server.lists.push({ items: [], metadata: { resourceVersion: '7' } }, { items: [obj('x', '90')], metadata: { resourceVersion: '90' } });
    await inf.start();
    await until('the watch', () => server.watches.length === 1);
    server.last.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await until('the re-list and its watch', () => server.watches.length === 2);
    assert.equal(server.last.rv, '90');
    assert.equal(inf.get('x')?.metadata?.resourceVersion, '90');
  });

  it('backs off exponentially while the API server is down, then resets after a list', async () => {
    const { inf, server, errors, connects } = rig();
    server.lists.push(refused(), refused(), refused(), { items: [obj('a', '3')], metadata: { resourceVersion: '3' } });
    await inf.start(); // resolves after the first (failed) attempt
    assert.equal(inf.synced, false);
    await until('the fourth list', () => server.watches.length === 1);
    assert.deepEqual(errors.map((e) => e.retryInMs), [10, 20, 40]);
    assert.match(String((errors[0].err as Error).message), /ECONNREFUSED/);
    assert.equal(connects(), 1);
    assert.equal(inf.synced, true);
    // A failure after that success starts from the base delay again.
    server.last.end(refused());
    await until('the next error', () => errors.length === 4);
    assert.equal(errors[3].retryInMs, 10);
  });

  it('reopens the watch at its version after an API server restart, and says it is back', async () => {
    const { inf, server, errors, connects } = rig();
    server.lists.push({ items: [obj('a', '3')], metadata: { resourceVersion: '3' } });
    await inf.start();
    await until('the watch', () => server.watches.length === 1);
    server.last.event('MODIFIED', obj('a', '8'));
    // The API server goes away mid-watch and refuses the first two reconnections.
    server.watchFailures.push(refused(), refused());
    server.last.end(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await until('a watch on the restarted server', () => server.watches.length === 2);
    assert.equal(server.last.rv, '8', 'no re-list: the version is still valid');
    assert.equal(server.listCalls, 1);
    assert.deepEqual(errors.map((e) => e.retryInMs), [10, 20, 40]);
    assert.equal(connects(), 2, 'connect after the first list and after the reconnection');
  });

  it('treats another ERROR status as a failure: backs off, then lists again', async () => {
    const { inf, server, errors } = rig();
    server.lists.push({ items: [], metadata: { resourceVersion: '3' } }, { items: [], metadata: { resourceVersion: '9' } });
    await inf.start();
    await until('the watch', () => server.watches.length === 1);
    server.last.event('ERROR', { kind: 'Status', code: 504, reason: 'Timeout', message: 'Too large resource version: 3, current: 1' });
    server.last.end();
    await until('the re-list and its watch', () => server.watches.length === 2);
    assert.equal(errors.length, 1);
    assert.match(String((errors[0].err as Error).message), /HTTP 504: Too large resource version/);
    assert.equal(server.last.rv, '9');
  });

  it('does not spin on watches that close at once without an event', async () => {
    const { inf, server } = rig(new FakeServer(), 60_000);
    server.lists.push({ items: [], metadata: { resourceVersion: '1' } });
    await inf.start();
    await until('the watch', () => server.watches.length === 1);
    const t0 = Date.now();
    for (let i = 1; i <= 3; i++) {
      server.last.end();
      await until(`watch ${i + 1}`, () => server.watches.length === i + 1);
    }
    assert.ok(Date.now() - t0 >= 25, 'each reopening waited a backoff delay');
  });

  it('stops: aborts the watch and retries nothing', async () => {
    const { inf, server, errors } = rig();
    server.lists.push(refused());
    await inf.start();
    await inf.stop();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(server.listCalls, 1, 'no retry after stop');
    server.lists.push({ items: [obj('a', '1')], metadata: { resourceVersion: '1' } });
    await inf.start();
    await until('the watch', () => server.watches.length === 1);
    await inf.stop();
    assert.equal(server.last.aborted, true);
    server.last.end(refused()); // the aborted stream's end is ignored
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(errors.length, 1);
    assert.equal(inf.get('a')?.metadata?.resourceVersion, '1', 'the cache survives stop');
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, jittered within [d/2, d], and resets', () => {
    const top = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 1 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => top.next()), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(top.failures, 6);
    top.reset();
    assert.equal(top.next(), 100);
    const bottom = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    assert.deepEqual([1, 2, 3].map(() => bottom.next()), [50, 100, 200]);
    const real = new Backoff();
    for (let i = 0; i < 40; i++) {
      const d = real.next();
      assert.ok(d >= 250 && d <= 15_000, `${d} within the defaults`);
    }
  });
});
