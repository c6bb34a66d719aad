// Problems for the whole workspace in REAL VS Code (code-server + Chromium): a folder of manifests
// opens, no file is opened, and the Problems panel lists the broken Eip, BgpPeer and Service of
// files never opened; a fix saved on disk (the file watcher) takes the problem away.
//
//   flock /tmp/openelb-tiers.lock node --import tsx --test test/editor/workspaceProblems.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../harness/repo';
import { startEditorSession, until, type EditorSession } from '../harness/codeServer/session';
import { SHOTS } from '../harness/codeServer/workbench';

const POOLS = (address: string) =>
  `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: office-pool\nspec:\n  address: ${address}\n  protocol: layer2\n  interface: eth0\n`;
const PEERS = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nmetadata:\n  name: tor-switch\nspec:\n  conf:\n    peerAs: 65001\n    neighborAddress: 10.0.0.300\n';
const WEB = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: office-pol\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 80\n';

describe('problems of files never opened (code-server + Chromium)', { timeout: 600_000 }, () => {
  let session: EditorSession | undefined;

  before(async () => {
    session = await startEditorSession({
      name: 'workspace-problems',
      crds: true,
      files: { 'office-pools.yaml': POOLS('192.168.50.40-192.168.50.20'), 'tor-peers.yaml': PEERS, 'web-service.yaml': WEB },
    });
  });

  after(async () => {
    await session?.stop('zz-final-workspace-problems');
  });

  it('lists the Eip, BgpPeer and Service problems of files no editor has opened', async () => {
    const { page, wb } = session!;
    assert.equal(await page.locator('.editor-group-container .tab').count(), 0, 'no editor is open');
    const rows = await wb.problemsContaining([
      'office-pools.yaml', 'the range is reversed: 192.168.50.20 comes before 192.168.50.40',
      'tor-peers.yaml', "'10.0.0.300' is not an IP address",
      'web-service.yaml', "no Eip named 'office-pol'",
    ]);
    assert.ok(rows.some((r) => r.includes('eips.yaml')), `the example's own file is listed too:\n${rows.join('\n')}`);
    assert.equal(await page.locator('.editor-group-container .tab').count(), 0, 'still no editor open');
    await wb.screenshot('workspace-problems');
    if (process.env.OPENELB_README_SHOTS === '1') { // the README's picture; a normal run leaves the tree alone
      mkdirSync(join(REPO, 'docs', 'images'), { recursive: true });
      copyFileSync(join(SHOTS, 'workspace-problems.png'), join(REPO, 'docs', 'images', 'workspace-problems.png'));
    }
  });

  it('a fix written to disk removes that problem, the others stay', async () => {
    const { page, workspace } = session!;
    writeFileSync(join(workspace, 'office-pools.yaml'), POOLS('192.168.50.20-192.168.50.40'));
    const rows = await until('the reversed range to leave the Problems panel', async () => {
      const flat = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
      return flat.some((r) => r.includes('the range is reversed')) ? undefined : flat;
    }, 60_000);
    assert.ok(rows.some((r) => r.includes("'10.0.0.300' is not an IP address")), `the BgpPeer problem stays:\n${rows.join('\n')}`);
  });
});
