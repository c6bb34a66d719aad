// The extension in REAL VS Code against a cluster with the runtime deployed (by
// runtime/src/ops/deploy.ts, before the editor starts): what speakers report about failing nodes
// shows in the tree, and Remove Runtime releases the Services that hold OpenELB state instead of
// leaving them stuck. Same setup as the other editor tests (harness/codeServer/editorSession.ts); screenshots go to
// test-results/editor/.
//
//   node --import tsx --test test/editor/runtime.test.ts
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { deploy } from '../../runtime/src/ops/deploy';
import { CONTROLLER, NAMESPACE, RUNTIME_CONFIGMAP, SPEAKER } from '../../runtime/src/ops/names';
import { isNotFound } from '../../runtime/src/kube/client';
import { restCall } from '../../runtime/src/kube/rest';
import { useEditorSession } from '../harness/codeServer/editorSession';
import { until } from '../harness/codeServer/session';

const EIPS = '/apis/network.kubesphere.io/v1alpha2/eips';
const EIP = 'eip-speakers';
const FINALIZER = 'finalizer.lb.kubesphere.io/v1alpha1';

/** Writes the Eip's speaker condition for node1 through the eips/status subresource. */
async function speakerCondition(kc: KubeConfig, status: 'True' | 'False'): Promise<void> {
  const condition = status === 'False'
    ? { type: 'Speaker.node1', status, reason: 'Layer2OpenFailed', message: 'cannot open eth0 for layer2: no such network interface' }
    : { type: 'Speaker.node1', status, reason: 'Announcing', message: 'announcing on eth0' };
  await restCall(kc, 'PATCH', `${EIPS}/${EIP}/status`, {
    body: { status: { conditions: [{ ...condition, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
    contentType: 'application/merge-patch+json',
  });
}

describe('OpenELB runtime in VS Code: failing nodes in the tree, Remove Runtime', { timeout: 600_000 }, () => {
  const editor = useEditorSession({
    name: 'runtime',
    crds: false,
    prepare: async (k) => {
      await deploy(k);
      await restCall(k, 'POST', EIPS, { body: {
        apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip',
        metadata: { name: EIP }, spec: { address: '192.168.0.120-192.168.0.129', protocol: 'layer2', interface: 'eth0' },
      } });
    },
  });

  it('badges an Eip whose speaker reports a failing node, and drops the badge when it recovers', async () => {
    const { kc, page, wb } = editor();
    await wb.command('View: Show OpenELB');
    const row = wb.treeRow(EIP);
    await row.waitFor({ timeout: 60_000 });
    const warningIcon = row.locator('.codicon-warning');
    assert.doesNotMatch(await row.innerText(), /failing/, 'no badge before any speaker reported');
    assert.equal(await warningIcon.count(), 0, 'no warning icon before any speaker reported');

    await speakerCondition(kc, 'False');
    await until('the tree row shows [1 node failing]', async () => /\[1 node failing\]/.test(await row.innerText()), 30_000)
      .catch(async (e) => { throw new Error(`${(e as Error).message}\nrow: ${await row.innerText()}`); });
    assert.match(await row.innerText(), /layer2.*0\/10.*\[1 node failing\]/s);
    assert.equal(await warningIcon.count(), 1, 'the row has the warning icon');
    // Widen the sidebar (drag its edge) so the screenshot shows the badge; the hover spells the failure out.
    const bar = await page.locator('.part.sidebar').boundingBox();
    if (bar) {
      await page.mouse.move(bar.x + bar.width, bar.y + bar.height / 2);
      await page.mouse.down();
      await page.mouse.move(bar.x + bar.width + 250, bar.y + bar.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    await row.hover();
    const hover = page.locator('.monaco-hover', { hasText: 'cannot announce it' }).first();
    await hover.waitFor({ timeout: 15_000 });
    assert.match(await hover.innerText(), /node node1 cannot announce it \(Layer2OpenFailed: cannot open eth0 for layer2/);
    await wb.screenshot('14-node-failing');
    await page.keyboard.press('Escape');

    await speakerCondition(kc, 'True');
    await until('the badge is gone', async () => !/failing/.test(await row.innerText()) && await warningIcon.count() === 0, 30_000)
      .catch(async (e) => { throw new Error(`${(e as Error).message}\nrow: ${await row.innerText()}`); });
    assert.match(await row.innerText(), /layer2.*0\/10/s, 'the row is still there');
  });

  it('Remove Runtime names a Service holding OpenELB state, releases it and removes the runtime', async () => {
    const { kc, page, wb } = editor();
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespacedService({ namespace: 'default', body: {
      metadata: { name: 'held', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' }, finalizers: [FINALIZER] },
      spec: { type: 'LoadBalancer', selector: { app: 'held' }, ports: [{ port: 80 }] },
    } });
    await restCall(kc, 'PATCH', '/api/v1/namespaces/default/services/held/status', {
      body: { status: { loadBalancer: { ingress: [{ ip: '192.168.0.120' }] } } }, contentType: 'application/merge-patch+json',
    });
    const before = await core.readNamespacedService({ namespace: 'default', name: 'held' });
    assert.deepEqual(before.status?.loadBalancer?.ingress?.map((i) => i.ip), ['192.168.0.120'], 'the Service holds an address');
    // What Remove must delete is there.
    await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: CONTROLLER });
    await apps.readNamespacedDaemonSet({ namespace: NAMESPACE, name: SPEAKER });
    await core.readNamespacedConfigMap({ namespace: NAMESPACE, name: RUNTIME_CONFIGMAP });

    await wb.command('OpenELB: Remove Runtime');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 120_000 });
    await wb.screenshot('15-remove-runtime');
    const text = await wb.dialogButton('Release 1 Service and remove');
    assert.match(text, /default\/held \(192\.168\.0\.120\)/, `the confirmation names the Service:\n${text}`);
    assert.match(text, /delete/, `the confirmation lists what it deletes:\n${text}`);
    await wb.notification(/Remove Runtime done/, 120_000);
    // Each step is in the one output channel, OpenELB (cluster connection and language server too).
    await wb.command('Output: Show Output Channels');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'OpenELB' }).first().click();
    await until('Remove Runtime steps in Output > OpenELB', async () => {
      // Monaco renders spaces as no-break spaces.
      const shown = (await page.locator('.part.panel .view-lines').first().innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      return /remove: \S+ Namespace openelb-system/.test(shown) && /Remove Runtime done/.test(shown) ? shown : undefined;
    });
    await wb.screenshot('16-output-remove-steps');

    const svc = await core.readNamespacedService({ namespace: 'default', name: 'held' });
    assert.ok(!svc.metadata?.finalizers?.includes(FINALIZER), `finalizer removed: ${JSON.stringify(svc.metadata?.finalizers)}`);
    assert.equal(svc.status?.loadBalancer?.ingress?.length ?? 0, 0, `ingress removed: ${JSON.stringify(svc.status?.loadBalancer)}`);
    const gone = async (read: () => Promise<unknown>): Promise<boolean> => read().then(() => false, isNotFound);
    assert.ok(await gone(() => apps.readNamespacedDeployment({ namespace: NAMESPACE, name: CONTROLLER })), 'controller Deployment deleted');
    assert.ok(await gone(() => apps.readNamespacedDaemonSet({ namespace: NAMESPACE, name: SPEAKER })), 'speaker DaemonSet deleted');
    assert.ok(await gone(() => core.readNamespacedConfigMap({ namespace: NAMESPACE, name: RUNTIME_CONFIGMAP })), 'runtime ConfigMap deleted');

    // Nothing of OpenELB is left on the Service, so deleting it completes.
    await core.deleteNamespacedService({ namespace: 'default', name: 'held' });
    await until('the deleted Service is gone (404)', () => gone(() => core.readNamespacedService({ namespace: 'default', name: 'held' })), 10_000);
  });
});
