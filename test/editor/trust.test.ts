// Workspace trust in REAL VS Code (code-server + Chromium): a repository must not be able to run
// commands on the user's machine or choose what the user deploys by shipping a
// .vscode/settings.json. The folder here opens untrusted and its settings point `openelb.kubeconfig`
// at a kubeconfig whose `exec` credential plugin creates a file, and `openelb.runtimeImage` at an
// image of its choice. The user's own (machine) kubeconfig reaches the test cluster through an
// exec plugin too, which also leaves a file: so "no file" means "no cluster request at all".
//
//   flock /tmp/openelb-tiers.lock node --import tsx --test test/editor/trust.test.ts
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { isNotFound } from '../../runtime/src/kube/client';
import { DEFAULT_IMAGE, NAMESPACE } from '../../runtime/src/ops/names';
import { useEditorSession } from '../harness/codeServer/editorSession';
import { until } from '../harness/codeServer/session';

const FOLDER_IMAGE = 'registry.example/folder-chosen:1';

/** A shell script for a kubeconfig `exec` user: creates `marker`, then prints a token credential. */
function credentialPlugin(path: string, marker: string, token: string): string {
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token } });
  writeFileSync(path, `#!/bin/sh\ntouch '${marker}'\nprintf '%s' '${credential}'\n`);
  chmodSync(path, 0o700);
  return path;
}

const execUser = (command: string): string =>
  `    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ${command}\n      interactiveMode: Never\n`;

describe('OpenELB in an untrusted folder (code-server + Chromium)', { timeout: 600_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'openelb-trust-'));
  const folderMarker = join(tmp, 'folder-plugin-ran');
  const userMarker = join(tmp, 'user-plugin-ran');
  const editor = useEditorSession({
    name: 'trust',
    crds: true,
    untrusted: true,
    // The user's own kubeconfig: the cluster's, its token handed out by an exec plugin.
    kubeconfig: (text) => {
      const token = /^ {4}token: (.+)$/m.exec(text)?.[1];
      assert.ok(token, 'the cluster kubeconfig has a token user');
      // The folder's kubeconfig: the same API server, its own plugin.
      const folderPlugin = credentialPlugin(join(tmp, 'folder-cred.sh'), folderMarker, 'folder');
      writeFileSync(join(tmp, 'folder-kubeconfig'), text.replace(/^ {4}token: .+\n/m, execUser(folderPlugin)));
      return text.replace(/^ {4}token: .+\n/m, execUser(credentialPlugin(join(tmp, 'user-cred.sh'), userMarker, token)));
    },
    workspaceSettings: { 'openelb.kubeconfig': join(tmp, 'folder-kubeconfig'), 'openelb.runtimeImage': FOLDER_IMAGE },
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('checks files offline (problems, hover) and connects to nothing', async () => {
    const { kc, page, wb } = editor();
    await wb.open('eips.yaml');
    // Problems from the language server prove the extension is active and has run connect().
    await wb.problemsContaining(['eip-address-syntax', 'octet 300']);
    await wb.goTo(9, 16);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover-content', { hasText: 'addresses' }).first();
    await hover.waitFor({ timeout: 15_000 });
    assert.match(await hover.innerText(), /10\s+addresses/);
    await page.keyboard.press('Escape');

    await wb.command('View: Show OpenELB');
    const welcome = page.locator('.welcome-view-content', { hasText: 'not trusted' });
    await welcome.waitFor({ timeout: 30_000 });
    await wb.screenshot('20-untrusted');

    // A cluster command says why it does nothing, and does nothing.
    await wb.command('OpenELB: Deploy Runtime');
    assert.match(await wb.notification(/not trusted/, 30_000), /Manage Workspace Trust/);
    await assert.rejects(kc.makeApiClient(CoreV1Api).readNamespace({ name: NAMESPACE }), isNotFound, 'nothing was deployed');

    assert.equal(existsSync(folderMarker), false, "the folder's kubeconfig exec plugin ran");
    assert.equal(existsSync(userMarker), false, "the user's kubeconfig exec plugin ran: the extension talked to the cluster");
  });

  it('connects once the folder is trusted, with the user\'s kubeconfig and image, never the folder\'s', async () => {
    const { kc, page, wb } = editor();
    await wb.command('Workspaces: Manage Workspace Trust');
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust( Folder)?$/ }).first();
    await trust.waitFor({ timeout: 30_000 });
    await trust.click();
    await until("the user's exec plugin ran (the extension connected)", async () => existsSync(userMarker), 60_000);

    await wb.command('View: Show OpenELB');
    await wb.treeRow(kc.getCurrentContext()).waitFor({ timeout: 60_000 });
    await wb.screenshot('21-trusted');

    await wb.command('OpenELB: Deploy Runtime');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 120_000 });
    await wb.screenshot('22-deploy-confirmation');
    const text = await wb.dialogButton('Cancel');
    const server = kc.getCurrentCluster()?.server ?? '';
    assert.ok(text.includes(`context ${kc.getCurrentContext()} (${server})`), `the confirmation names the context and server:\n${text}`);
    assert.ok(text.includes(`image ${DEFAULT_IMAGE}`), `the confirmation names the image:\n${text}`);
    assert.ok(!text.includes(FOLDER_IMAGE), `the folder's image is not used:\n${text}`);
    assert.equal(existsSync(folderMarker), false, "the folder's kubeconfig exec plugin ran");
  });
});
