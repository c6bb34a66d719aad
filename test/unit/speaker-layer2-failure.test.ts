// A node whose packet helper or interface cannot be opened: the driver reports it once, the node
// writes Speaker.<node>=False (reason Layer2OpenFailed) and every node's plan leaves it out of
// the election for that Eip only; and the shipped helper is unpacked for this architecture.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { test } from 'node:test';
import { desiredState, eipView, serviceView, speakerFailures } from '../../runtime/src/speaker/plan/desiredState';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { Layer2Driver } from '../../runtime/src/speaker/node/layer2Driver';
import { StatusPublisher } from '../../runtime/src/speaker/node/statusPublisher';
import type { KubeWrites } from '../../runtime/src/speaker/node/kubeWrites';
import type { Choice } from '../../runtime/src/speaker/node/interfaces';
import { helperArch, helperFileName, unpackShippedHelper } from '../../runtime/src/speaker/layer2/helperPath';

const nodes = ['n1', 'n2', 'n3'].map((name) => ({ name, ready: true }));
const live = new Set(['n1', 'n2', 'n3']);
const svc = (name: string, ip: string) => serviceView({ metadata: { name, namespace: 'ns', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
  spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip }] } } }, new Set())!;
const failed = (node: string) => ({ type: `Speaker.${node}`, status: 'False', reason: 'Layer2OpenFailed', message: 'cannot open eth0 for layer2: openelb-packet-helper for x64 not found' });
const l2 = (name: string, address: string, conditions: object[] = []) =>
  eipView({ metadata: { name }, spec: { address, protocol: 'layer2', interface: 'eth0' }, status: { conditions } }, true);

test('a node whose helper failed for an Eip is not elected for it, but still is for other Eips', () => {
  const ip = '192.168.0.10';
  const owner = electOwner(ip, ['n1', 'n2', 'n3'])!;
  // An address of Eip b that the same node owns.
  const other = Array.from({ length: 50 }, (_, i) => `192.168.1.${i + 1}`).find((x) => electOwner(x, ['n1', 'n2', 'n3']) === owner)!;
  const eips = [l2('a', '192.168.0.0/24', [failed(owner)]), l2('b', '192.168.1.0/24')];
  const services = [svc('s', ip), svc('t', other)];
  const plans = new Map(['n1', 'n2', 'n3'].map((n) => [n, desiredState(n, eips, services, nodes, live)]));
  assert.equal(plans.get(owner)!.owners.get(ip), electOwner(ip, ['n1', 'n2', 'n3'].filter((n) => n !== owner)));
  assert.notEqual(plans.get(owner)!.owners.get(ip), owner);
  assert.equal([...plans.values()].filter((p) => p.layer2.some((a) => a.ip === ip)).length, 1, 'exactly one node answers');
  assert.equal(plans.get(owner)!.layer2.some((a) => a.ip === other), true, 'the node still answers for Eip b');
  // Every node computes the same owners.
  for (const p of plans.values()) assert.deepEqual([...p.owners], [...plans.get('n1')!.owners]);
});

test('speakerFailures reads only False Speaker.<node> conditions', () => {
  assert.deepEqual(speakerFailures([{ type: 'Valid', status: 'False' }, { type: 'Speaker.n2', status: 'True' }, failed('n3'), failed('n1')]).map((f) => [f.node, f.reason]),
    [['n1', 'Layer2OpenFailed'], ['n3', 'Layer2OpenFailed']]);
  assert.deepEqual(speakerFailures(undefined), []);
});

test('the layer2 driver turns an interface it cannot open into a Layer2OpenFailed choice, logging once', async () => {
  const logs: string[] = [];
  const driver = new Layer2Driver((m) => logs.push(m), () => {}, undefined, 'openelb-packet-helper for arm64 was not shipped');
  const choices = new Map<string, Choice>([['a', { ifname: 'eth0' }], ['b', { error: 'interface eth9 does not exist on this node' }]]);
  await driver.ensure(['eth0']);
  await driver.ensure(['eth0']);
  const usable = driver.usable(choices);
  assert.deepEqual(usable.get('a'), { error: 'cannot open eth0 for layer2: openelb-packet-helper for arm64 was not shipped', reason: 'Layer2OpenFailed' });
  assert.deepEqual(usable.get('b'), choices.get('b'), 'other errors are kept as they are');
  assert.equal(logs.length, 1, logs.join('\n'));
  assert.deepEqual(driver.apply([{ ip: '192.168.0.10', ifname: 'eth0' }]), { announced: [], withdrawn: [] });
  await driver.ensure([]);
  assert.deepEqual(driver.usable(choices).get('a'), { ifname: 'eth0' }, 'forgotten once the interface is not wanted');
});

test('a helper that cannot be run is reported with its path', async () => {
  const driver = new Layer2Driver(() => {}, () => {}, '/nonexistent/openelb-packet-helper-amd64');
  await driver.ensure(['eth0']);
  const c = driver.usable(new Map([['a', { ifname: 'eth0' }]])).get('a');
  assert.ok(c && 'error' in c && /cannot run \/nonexistent\/openelb-packet-helper-amd64/.test(c.error), JSON.stringify(c));
});

test('the publisher writes Speaker.<node>=False with the reason, and an Event', async () => {
  const calls: unknown[][] = [];
  const writes = {
    setEipCondition: async (...a: unknown[]) => { calls.push(['condition', ...a]); return true; },
    event: async (...a: unknown[]) => { calls.push(['event', ...a]); },
  } as unknown as KubeWrites;
  const publisher = new StatusPublisher(writes, 'n1', () => {});
  const error = 'cannot open eth0 for layer2: boom';
  publisher.eips(new Map([['a', { error, reason: 'Layer2OpenFailed' }]]), [{ metadata: { name: 'a', uid: 'u1' } }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls[0], ['condition', 'a', false, error, 'Layer2OpenFailed']);
  assert.deepEqual(calls[1], ['event', { kind: 'Eip', name: 'a', uid: 'u1' }, 'Warning', 'Layer2OpenFailed', `n1: ${error}`]);
});

test('the shipped helper is unpacked for this architecture into $OPENELB_HELPER_DIR; a missing one is named', () => {
  const arch = helperArch()!;
  const from = mkdtempSync(join(tmpdir(), 'openelb-cm-'));
  const to = mkdtempSync(join(tmpdir(), 'openelb-helper-'));
  assert.equal(unpackShippedHelper({}, from), undefined, 'not in a pod: nothing to do');
  assert.throws(() => unpackShippedHelper({ OPENELB_HELPER_DIR: to }, from), new RegExp(`${helperFileName(arch)}.br is missing`));
  const bytes = Buffer.from('#!/bin/sh\necho helper\n');
  writeFileSync(join(from, `${helperFileName(arch)}.br`), brotliCompressSync(bytes));
  const path = unpackShippedHelper({ OPENELB_HELPER_DIR: to }, from)!;
  assert.equal(path, join(to, helperFileName(arch)));
  assert.ok(readFileSync(path).equals(bytes));
  assert.equal(statSync(path).mode & 0o777, 0o755);
  assert.equal(helperArch('x64'), 'amd64');
  assert.equal(helperArch('arm64'), 'arm64');
  assert.equal(helperArch('s390x'), undefined);
});
