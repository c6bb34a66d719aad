// Tenants (issue #13) against a real API server: a Service of a second namespace asking for an
// address another tenant holds gets no address and a Warning event (the holder keeps it), one
// with the holder's sharing key shares it, and an Eip restricted to its namespaces refuses the
// others.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerHandle } from '../../runtime/src/controller/runController';
import {
  createEip, eventReasons, getEip, ingressIp, serviceBody, settled, setupEnv, startController, waitFor, waitForIp, type Env, type SvcOpts,
} from '../harness/cluster/controllerEnv';

const SHARE = 'eip.openelb.kubesphere.io/allow-shared-ip';

let env: Env;
let ctl: ControllerHandle;

before(async () => {
  env = await setupEnv(['tenant-a', 'tenant-b', 'tenant-c']);
  await createEip(env, 'shared-pool', { address: '10.60.0.0/28' });
  await createEip(env, 'a-only', { address: '10.61.0.0/29', namespaces: ['tenant-a'] },
    { annotations: { 'eip.openelb.kubesphere.io/restrict-to-namespaces': 'true' } });
  ctl = await startController(env, 'ctl-tenants', { metricsPort: 0, metricsHost: '127.0.0.1' });
  await waitFor('leadership', async () => ctl.isLeader());
});

after(async () => {
  await ctl?.stop();
  await env?.cluster.stop();
});

async function createOnPort(ns: string, name: string, port: number, o: SvcOpts = {}): Promise<void> {
  const body = serviceBody(ns, name, o);
  body.spec!.ports = [{ name: 'p', port, protocol: 'TCP' }];
  await env.core.createNamespacedService({ namespace: ns, body });
}

/** The Warning events about a Service, once there is one. */
function warningsOf(ns: string, name: string): Promise<{ reason: string; message: string }[]> {
  return waitFor(`a Warning event on ${ns}/${name}`, async () => {
    const w = (await eventReasons(env, ns, 'Service', name)).filter((e) => e.type === 'Warning');
    return w.length ? w : undefined;
  });
}

test('a second tenant requesting a held address gets no address and a Warning event; the holder keeps it', async () => {
  await createOnPort('tenant-a', 'web', 80, { loadBalancerIP: '10.60.0.5', annotations: { [SHARE]: 'edge' } });
  assert.equal(await waitForIp(env, 'tenant-a', 'web'), '10.60.0.5');

  await createOnPort('tenant-b', 'thief', 443, { loadBalancerIP: '10.60.0.5' });
  const [w] = await warningsOf('tenant-b', 'thief');
  assert.equal(w.reason, 'AssignIPFailed');
  assert.match(w.message, /10\.60\.0\.5 is held by tenant-a\/web and cannot be shared: it is in namespace tenant-a; .*allow-shared-ip/);
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'tenant-b', 'thief'), undefined, 'status stays empty');
  assert.equal(await ingressIp(env, 'tenant-a', 'web'), '10.60.0.5');
  const thief = await env.core.readNamespacedService({ namespace: 'tenant-b', name: 'thief' });
  assert.equal(thief.metadata?.finalizers, undefined, 'nothing of ours on the refused Service');

  // With the same key and another port, a third tenant shares it.
  await createOnPort('tenant-c', 'api', 8443, { loadBalancerIP: '10.60.0.5', annotations: { [SHARE]: 'edge' } });
  assert.equal(await waitForIp(env, 'tenant-c', 'api'), '10.60.0.5');
  const used = await waitFor('the Eip record of both holders', async () => {
    const u = (await getEip(env, 'shared-pool')).status?.used as Record<string, string> | undefined;
    return u?.['10.60.0.5']?.includes('tenant-c/api') ? u : undefined;
  });
  assert.deepEqual(used, { '10.60.0.5': 'tenant-a/web;tenant-c/api' });
});

test('a port clash within one namespace is refused', async () => {
  await createOnPort('tenant-a', 'one', 80, { loadBalancerIP: '10.60.0.9' });
  assert.equal(await waitForIp(env, 'tenant-a', 'one'), '10.60.0.9');
  await createOnPort('tenant-a', 'two', 80, { loadBalancerIP: '10.60.0.9' });
  const [w] = await warningsOf('tenant-a', 'two');
  assert.match(w.message, /both use port 80\/TCP/);
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'tenant-a', 'two'), undefined);
});

test('an Eip restricted to its namespaces refuses the others, by name', async () => {
  await createOnPort('tenant-b', 'outsider', 80, { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'a-only' } });
  await createOnPort('tenant-a', 'insider', 80, { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'a-only' } });
  assert.equal(await waitForIp(env, 'tenant-a', 'insider'), '10.61.0.0');
  const [w] = await warningsOf('tenant-b', 'outsider');
  assert.match(w.message, /Eip a-only is restricted to its namespaces .* serves only namespaces tenant-a; namespace tenant-b is not one of them/);
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'tenant-b', 'outsider'), undefined);
});
