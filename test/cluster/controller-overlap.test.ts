// The controller against a real API server: overlap between Eips is decided across all of them
// (the older keeps serving, the newer is refused with a condition naming it, no address is held by
// two Services), and an Eip with only advice findings is allocated from as upstream would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerHandle } from '../../runtime/src/controller/runController';
import { retryOnConflict } from '../../runtime/src/kube/client';
import {
  GROUP, createEip, createService, eventReasons, getEip, ingressIp, settled, setupEnv, startController, waitFor, waitForIp, type Env,
} from '../harness/cluster/controllerEnv';

let env: Env;
let ctl: ControllerHandle;
const POOL = 'eip.openelb.kubesphere.io/v1alpha2';
type Cond = { type: string; status: string; reason: string; message: string };

async function validCondition(name: string, status: 'True' | 'False', reason: string): Promise<Cond> {
  return waitFor(`Valid=${status} (${reason}) on Eip ${name}`, async () => {
    const c = ((await getEip(env, name)).status?.conditions as Cond[] | undefined)?.find((x) => x.type === 'Valid');
    return c?.status === status && c.reason === reason ? c : undefined;
  });
}

/** Edits spec.address as a user would: read, change, write, again on a conflict (the controller writes the status meanwhile). */
async function setAddress(name: string, address: string): Promise<void> {
  await retryOnConflict(async () => {
    const cur = await getEip(env, name) as Record<string, unknown> & { spec: Record<string, unknown> };
    await env.custom.replaceClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'eips', name, body: { ...cur, spec: { ...cur.spec, address } } });
  });
}

before(async () => {
  env = await setupEnv(['a', 'b', 'adv']);
  // Names sort the other way round: the creation time decides which one is older.
  await createEip(env, 'zz-old', { address: '10.50.0.0-10.50.0.7' });
  await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has whole seconds
  await createEip(env, 'aa-new', { address: '10.50.0.4-10.50.0.11' });
  await createEip(env, 'wide', { address: '10.70.0.0-10.70.0.1', namespaces: ['a'] });
  await new Promise((r) => setTimeout(r, 1100));
  await createEip(env, 'narrow', { address: '10.70.0.2-10.70.0.3', namespaces: ['b'] });
  // Advice only: host bits set (the pool is 10.60.0.4/30) and is-default-eip "True" (not the default).
  await createEip(env, 'advised', { address: '10.60.0.5/30', namespaces: ['adv'] },
    { annotations: { 'eip.openelb.kubesphere.io/is-default-eip': 'True' } });
  ctl = await startController(env, 'ctl-overlap');
  await waitFor('leadership', async () => ctl.isLeader());
});

after(async () => {
  await ctl?.stop();
  await env?.cluster.stop();
});

test('two overlapping Eips: the older serves, the newer is refused naming it, no address is shared', async () => {
  const refused = await validCondition('aa-new', 'False', 'Overlap');
  assert.match(refused.message, /overlaps the older Eip zz-old .*shared: 10\.50\.0\.4-10\.50\.0\.7/);
  await validCondition('zz-old', 'True', 'Valid');
  const names = ['o1', 'o2', 'o3'];
  for (const n of names) await createService(env, 'a', n, { annotations: { [POOL]: 'zz-old' } });
  await createService(env, 'b', 'n1', { annotations: { [POOL]: 'aa-new' } });
  await createService(env, 'b', 'n2', { annotations: { [POOL]: 'aa-new' } });
  const ips = await Promise.all(names.map((n) => waitForIp(env, 'a', n)));
  assert.deepEqual(ips, ['10.50.0.0', '10.50.0.1', '10.50.0.2']);
  const failed = await waitFor('AssignIPFailed for n1', async () => (await eventReasons(env, 'b', 'Service', 'n1')).find((e) => e.reason === 'AssignIPFailed'));
  assert.match(failed.message, /Eip aa-new is refused: .*older Eip zz-old/);
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'b', 'n1'), undefined);
  assert.equal(await ingressIp(env, 'b', 'n2'), undefined);
  const warn = await waitFor('Eip warning event', async () => (await eventReasons(env, 'default', 'Eip', 'aa-new')).find((e) => e.type === 'Warning'));
  assert.match(warn.message, /not used for allocation: .*zz-old/);
});

test('an Eip that comes to overlap an older one keeps its Services, and their addresses are never handed out again', async () => {
  await createService(env, 'a', 'w1');
  await createService(env, 'a', 'w2');
  await createService(env, 'b', 'm1');
  assert.equal(await waitForIp(env, 'a', 'w1'), '10.70.0.0');
  assert.equal(await waitForIp(env, 'a', 'w2'), '10.70.0.1');
  assert.equal(await waitForIp(env, 'b', 'm1'), '10.70.0.2');
  await setAddress('wide', '10.70.0.0-10.70.0.7'); // the older Eip now covers narrow's range
  const refused = await validCondition('narrow', 'False', 'Overlap');
  assert.match(refused.message, /older Eip wide/);
  await createService(env, 'a', 'w3');
  await createService(env, 'a', 'w4');
  assert.equal(await waitForIp(env, 'a', 'w3'), '10.70.0.3'); // 10.70.0.2 stays m1's
  assert.equal(await waitForIp(env, 'a', 'w4'), '10.70.0.4');
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'b', 'm1'), '10.70.0.2');
  await createService(env, 'b', 'm2');
  const failed = await waitFor('AssignIPFailed for m2', async () => (await eventReasons(env, 'b', 'Service', 'm2')).find((e) => e.reason === 'AssignIPFailed'));
  assert.match(failed.message, /no Eip serves namespace b/);
  // Removing the overlap serves the newer Eip again.
  await setAddress('wide', '10.70.0.0-10.70.0.1');
  await validCondition('narrow', 'True', 'Valid');
});

test('an Eip with only advice findings allocates as upstream would, and says why in its condition', async () => {
  const cond = await validCondition('advised', 'True', 'Advice');
  assert.match(cond.message, /host bits/);
  assert.match(cond.message, /is-default-eip/);
  await createService(env, 'adv', 's1');
  await createService(env, 'adv', 's2');
  assert.equal(await waitForIp(env, 'adv', 's1'), '10.60.0.4');
  assert.equal(await waitForIp(env, 'adv', 's2'), '10.60.0.5');
  const eip = await getEip(env, 'advised');
  assert.equal(eip.status?.ready, true);
  assert.equal(eip.status?.poolSize, 4);
});
