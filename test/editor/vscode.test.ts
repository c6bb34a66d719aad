// The extension in REAL VS Code: code-server (the VS Code workbench and Node extension host)
// driven through Debian's Chromium with playwright-core, against a real kube-apiserver + etcd
// and our controller running out of cluster. Screenshots go to test-results/editor/.
//
//   bash test/harness/codeServer/install-code-server.sh     # once (cached)
//   node --import tsx --test test/editor/vscode.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Page } from 'playwright-core';
import type { Cluster } from '../harness/cluster/cluster';
import { runController, type ControllerHandle } from '../../runtime/src/controller/runController';
import { startEditorSession, until, type EditorSession } from '../harness/codeServer/session';
import type { Workbench } from '../harness/codeServer/workbench';

describe('OpenELB extension in VS Code (code-server + Chromium)', { timeout: 600_000 }, () => {
  let session: EditorSession | undefined;
  let cluster: Cluster;
  let kc: KubeConfig;
  let page: Page;
  let wb: Workbench;
  let controller: ControllerHandle | undefined;

  before(async () => {
    session = await startEditorSession({
      name: 'editor',
      // A cluster without the OpenELB CRDs: the view must say so and offer Deploy Runtime.
      crds: false,
      files: {
        'complete.yaml': 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: typed\nspec:\n  address: 10.9.0.0/30\n  protocol: ',
        'empty.yaml': '',
        'apply-bad.yaml': 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: eip-bad\nspec:\n  address: 10.8.0.0/30\n  protocol: layer3\n',
        'pool.yaml': 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: eip-layer2\nspec:\n  address: 192.168.0.91-192.168.0.100\n  protocol: layer2\n  interface: eth0\n',
      },
      // A second kubeconfig file (multi-file setting, like KUBECONFIG) whose context points at a
      // port nothing listens on: for Select Context and the "unreachable" welcome text.
      extraKubeconfigs: ['apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: nobody\n  user: {token: "x"}\ncontexts:\n- name: nowhere\n  context: {cluster: nowhere, user: nobody}\n'],
    });
    ({ cluster, kc, page, wb } = session);
  });

  after(async () => {
    await controller?.stop().catch(() => undefined);
    await session?.stop('zz-final');
  });

  it('reports problems of the sample workspace in the Problems panel', async () => {
    for (const f of ['eips.yaml', 'services.yaml', 'bgp.yaml']) await wb.open(f);
    const rows = await wb.problemsContaining(['eip-address-syntax', 'service-unknown-eip', 'bgp-as-range', 'octet 300', 'eip-missing']);
    await wb.screenshot('01-problems');
    assert.ok(rows.some((r) => /octet 300.*\[Ln 26/.test(r)), `the address problem is on line 26:\n${rows.join('\n')}`);
    assert.ok(rows.some((r) => /bgp-as-range.*\[Ln 17/.test(r) || /5000000000.*\[Ln 17/.test(r)), `the AS problem is on line 17:\n${rows.join('\n')}`);
  });

  it('shows the pool size when hovering an address', async () => {
    await wb.open('eips.yaml');
    await wb.goTo(9, 16);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover-content', { hasText: 'addresses' }).first();
    await hover.waitFor({ timeout: 15_000 });
    const text = await hover.innerText();
    await wb.screenshot('02-hover');
    assert.match(text, /10\s+addresses/);
    assert.match(text, /192\.168\.0\.91/);
    await page.keyboard.press('Escape');
  });

  it('completes a value from the language server and a snippet', async () => {
    await wb.open('complete.yaml');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Control+Space');
    const item = page.locator('.suggest-widget .monaco-list-row', { hasText: 'layer2' }).first();
    await item.waitFor({ timeout: 15_000 });
    await wb.screenshot('03-completion');
    await page.keyboard.type('lay');
    await page.locator('.suggest-widget .monaco-list-row.focused', { hasText: 'layer2' }).waitFor();
    await page.keyboard.press('Enter');
    await until('protocol: layer2 in the editor', async () => (await wb.editorText()).includes('protocol: layer2'), 10_000);

    await wb.open('empty.yaml');
    await page.keyboard.type('openelb-eip-bg');
    await page.keyboard.press('Control+Space');
    const snip = page.locator('.suggest-widget .monaco-list-row', { hasText: 'openelb-eip-bgp' }).first();
    await snip.waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await until('the Eip (bgp) body', async () => {
      const t = await wb.editorText();
      return t.includes('kind: Eip') && t.includes('protocol: bgp');
    }, 10_000);
    await wb.screenshot('04-snippet');
  });

  it('explains a cluster without OpenELB CRDs and deploys the runtime', async () => {
    await wb.command('View: Show OpenELB');
    const welcome = page.locator('.welcome-view-content', { hasText: 'no OpenELB CRDs' });
    await welcome.waitFor({ timeout: 60_000 });
    await wb.screenshot('05-crds-missing');
    await welcome.getByRole('button', { name: 'Deploy Runtime' }).click();
    const summary = await wb.dialogButton('Deploy', 120_000);
    assert.match(summary, /image node:24-bookworm-slim \(the default/, 'the confirmation names the image');
    assert.match(summary, /create/);
    assert.match(summary, /CustomResourceDefinition/);
    await wb.notification(/Deploy Runtime done/, 120_000);
    await wb.screenshot('06-deployed');
    const apps = kc.makeApiClient(AppsV1Api);
    const deployments = await apps.listNamespacedDeployment({ namespace: 'openelb-system' });
    assert.ok(deployments.items.length > 0, 'a Deployment exists in openelb-system');
    // The view now shows the context (the CRDs exist).
    await wb.treeRow(kc.getCurrentContext()).waitFor({ timeout: 30_000 });
  });

  it('enables strictARP against the API server (ConfigMap changed, kube-proxy restarted)', async () => {
    await wb.command('OpenELB: Enable strictARP');
    await page.locator('.tab', { hasText: 'strictARP' }).first().waitFor({ timeout: 30_000 });
    await wb.screenshot('07-strictarp-diff');
    await wb.dialogButton('Apply');
    await wb.notification(/strictARP enabled/, 30_000);
    const core = kc.makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kube-proxy' });
    assert.match(cm.data?.['config.conf'] ?? '', /strictARP: true/);
    const ds = await kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ namespace: 'kube-system', name: 'kube-proxy' });
    assert.ok(ds.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], 'kube-proxy DaemonSet has restartedAt');
  });

  it('shows API server refusals of Apply Current File on the right line, then applies a valid file', async () => {
    await wb.open('apply-bad.yaml');
    await wb.command('OpenELB: Apply Current File');
    const rows = await wb.problemsContaining(['openelb apply', 'spec.protocol'], 30_000);
    assert.ok(rows.some((r) => /spec\.protocol.*\[Ln 7/.test(r)), `the refusal is on line 7:\n${rows.join('\n')}`);
    await wb.screenshot('08-apply-refused');
    const custom = kc.makeApiClient(CustomObjectsApi);
    await assert.rejects(custom.getClusterCustomObject({ group: 'network.kubesphere.io', version: 'v1alpha2', plural: 'eips', name: 'eip-bad' }), 'dry run created nothing');

    await wb.open('pool.yaml');
    await wb.command('OpenELB: Apply Current File');
    // The dry run passed: the confirmation names the object and where it goes.
    const confirm = await wb.dialogButton('Apply', 30_000);
    assert.ok(confirm.includes(`Eip/eip-layer2 to context ${kc.getCurrentContext()} (${kc.getCurrentCluster()?.server})`), `the confirmation names object, context and server:\n${confirm}`);
    await wb.notification(/applied Eip\/eip-layer2/, 30_000);
    await custom.getClusterCustomObject({ group: 'network.kubesphere.io', version: 'v1alpha2', plural: 'eips', name: 'eip-layer2' });
  });

  it('shows a new LoadBalancer IP in the tree, live', async () => {
    const logs: string[] = [];
    controller = await runController({ kubeconfig: cluster.kubeconfigPath, log: (m) => logs.push(m), retryPeriodMs: 200, leaseDurationSeconds: 2, identity: 'editor-test' });
    await wb.command('View: Show OpenELB');
    await wb.treeRow('eip-layer2').waitFor({ timeout: 30_000 });
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedService({ namespace: 'default', body: {
      metadata: { name: 'web', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', 'eip.openelb.kubesphere.io/v1alpha2': 'eip-layer2' } },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    } });
    const eipRow = wb.treeRow('eip-layer2');
    await until('the usage bar shows 1/10', async () => /1\/10/.test(await eipRow.innerText()), 30_000).catch(async (e) => {
      const eip = await kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({ group: 'network.kubesphere.io', version: 'v1alpha2', plural: 'eips', name: 'eip-layer2' });
      throw new Error(`${(e as Error).message}\nrow: ${await eipRow.innerText()}\nEip: ${JSON.stringify(eip)}\ncontroller:\n${logs.join('\n')}`);
    });
    assert.match(await eipRow.innerText(), /layer2.*▰.*▱.*1\/10 10%/s);
    await eipRow.click();
    await page.keyboard.press('ArrowRight');
    const ipRow = wb.treeRow('192.168.0.91');
    await ipRow.waitFor({ timeout: 10_000 });
    await ipRow.click();
    await page.keyboard.press('ArrowRight');
    const svcRow = wb.treeRow('default/web');
    await svcRow.waitFor({ timeout: 10_000 });
    await wb.screenshot('09-tree');
    await svcRow.click();
    await page.locator('.tab', { hasText: 'web.yaml' }).first().waitFor({ timeout: 15_000 });
    await until('the Service YAML', async () => (await wb.editorText()).includes('name: web'), 10_000);
    await wb.screenshot('10-service-yaml');
  });

  it('sets a node\'s layer2 address from its published interfaces', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const ifaces = JSON.stringify([{ name: 'eth1', mac: '02:00:00:00:00:01', addresses: ['10.0.0.5/24'] }]);
    await core.patchNode({ name: 'worker1', body: [{ op: 'add', path: '/metadata/annotations', value: { 'openelb.kubesphere.io/interfaces': ifaces } }] });
    await wb.command('OpenELB: Set Layer2 Node Address');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'worker1' }).first().click();
    // The address list comes from the watch cache, so wait for the annotation to arrive there.
    const addr = page.locator('.quick-input-widget .monaco-list-row', { hasText: '10.0.0.5' }).first();
    await addr.waitFor({ timeout: 10_000 });
    await wb.screenshot('12-layer2-address');
    await addr.click();
    await until('the layer2 annotation', async () =>
      (await core.readNode({ name: 'worker1' })).metadata?.annotations?.['layer2.openelb.kubesphere.io/v1alpha1'] === '10.0.0.5', 15_000);
  });

  it('selects a context across kubeconfig files and explains an unreachable cluster', async () => {
    const current = kc.getCurrentContext();
    await wb.command('OpenELB: Select Context');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: current }).first().waitFor();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'nowhere' }).first().click();
    await wb.command('View: Show OpenELB');
    await page.locator('.welcome-view-content', { hasText: 'unreachable' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('13-unreachable');
    await wb.command('OpenELB: Select Context');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: current }).first().click();
    await wb.treeRow('eip-layer2').waitFor({ timeout: 30_000 });
  });

  it('reconnects after the API server restarts', async () => {
    await cluster.restartApiServer();
    const core = kc.makeApiClient(CoreV1Api);
    await until('the restarted API server takes a Service', async () => {
      await core.createNamespacedService({ namespace: 'default', body: {
        metadata: { name: 'web2', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', 'eip.openelb.kubesphere.io/v1alpha2': 'eip-layer2' } },
        spec: { type: 'LoadBalancer', selector: { app: 'web2' }, ports: [{ port: 80 }] },
      } });
      return true;
    }, 30_000);
    await wb.command('View: Show OpenELB');
    const eipRow = wb.treeRow('eip-layer2');
    // The watches back off at most 15 s between tries.
    await until('the tree shows the second allocation', async () => /2\/10 20%/.test(await eipRow.innerText()), 45_000);
    await wb.screenshot('11-after-restart');
  });
});
