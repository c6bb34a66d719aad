// Index batches of the pure service: a workspace scan indexes thousands of files, and requests
// during it must see one consistent set of Eips (the one before the batch), with the index
// changing once, at the batch's end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { FileChangeType } from 'vscode-languageserver';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { LineIndex } from '@openelb/core/model/lineIndex';
import { WorkspaceProblems } from '../../server/src/lsp/workspaceDiagnostics';

const OPEN = 'file:///open.yaml';
const eip = (name: string, address: string) =>
  `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: ${name}\nspec:\n  address: ${address}\n  protocol: layer2\n  interface: eth0\n`;
// A Service asking for an Eip by name, cursor at the end of the annotation's value.
const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: ';

function eipNames(s: OpenElbLanguageService): string[] {
  const pos = new LineIndex(SERVICE).position(SERVICE.length);
  return s.complete(OPEN, SERVICE, pos).map((i) => String(i.label)).sort();
}

/** A service with two workspace files, counting onIndexChanged calls. */
function setUp() {
  const s = new OpenElbLanguageService();
  s.indexWorkspaceFile('file:///a.yaml', eip('pool-a', '10.1.0.0/24'));
  s.indexWorkspaceFile('file:///b.yaml', eip('pool-b', '10.2.0.0/24'));
  const changed: string[] = [];
  s.onIndexChanged = (uri) => changed.push(uri);
  return { s, changed };
}

describe('index batches', () => {
  it('requests during a batch see the Eips from before it; its end applies them at once', () => {
    const { s, changed } = setUp();
    assert.deepEqual(eipNames(s), ['pool-a', 'pool-b']);
    s.beginIndexBatch();
    assert.equal(s.indexWorkspaceFile('file:///c.yaml', eip('pool-c', '10.3.0.0/24')), true);
    assert.equal(s.indexWorkspaceFile('file:///a.yaml', eip('pool-a2', '10.1.0.0/24')), true);
    assert.equal(s.removeWorkspaceFile('file:///b.yaml'), true);
    assert.equal(s.isFresh(OPEN, SERVICE), true, 'the facts did not change yet: no re-check');
    assert.deepEqual(eipNames(s), ['pool-a', 'pool-b'], 'completion answers from the pre-batch Eips');
    assert.deepEqual(changed, []);
    s.endIndexBatch();
    assert.deepEqual(changed, ['file:///b.yaml'], 'one notice, for the whole batch');
    assert.equal(s.isFresh(OPEN, SERVICE), false);
    assert.deepEqual(eipNames(s), ['pool-a2', 'pool-c']);
  });

  it('rules check against the pre-batch Eips during a batch, and the new ones after', () => {
    const { s } = setUp();
    const overlapping = eip('mine', '10.9.0.0/24');
    const codes = () => s.validate(OPEN, overlapping).map((d) => d.code);
    assert.deepEqual(codes(), []);
    s.beginIndexBatch();
    s.indexWorkspaceFile('file:///c.yaml', eip('theirs', '10.9.0.0/25'));
    assert.deepEqual(codes(), [], 'the overlapping Eip of the batch is not seen yet');
    s.endIndexBatch();
    assert.ok(codes().length > 0, 'after the batch, the overlap with the workspace Eip is reported');
  });

  it('nested batches apply at the outermost end only', () => {
    const { s, changed } = setUp();
    s.beginIndexBatch();
    s.beginIndexBatch();
    s.indexWorkspaceFile('file:///c.yaml', eip('pool-c', '10.3.0.0/24'));
    s.endIndexBatch();
    assert.deepEqual(changed, []);
    assert.deepEqual(eipNames(s), ['pool-a', 'pool-b']);
    s.endIndexBatch();
    assert.deepEqual(changed, ['file:///c.yaml']);
    assert.deepEqual(eipNames(s), ['pool-a', 'pool-b', 'pool-c']);
    s.endIndexBatch(); // unbalanced: nothing to do
    assert.equal(changed.length, 1);
    // Later updates are no longer held back.
    s.indexWorkspaceFile('file:///d.yaml', eip('pool-d', '10.4.0.0/24'));
    assert.deepEqual(changed, ['file:///c.yaml', 'file:///d.yaml']);
  });

  it('a batch that changes nothing in the end changes no facts and sends no notice', () => {
    const { s, changed } = setUp();
    assert.deepEqual(eipNames(s), ['pool-a', 'pool-b']);
    s.beginIndexBatch();
    s.indexWorkspaceFile('file:///a.yaml', eip('pool-x', '10.1.0.0/24'));
    assert.equal(s.indexWorkspaceFile('file:///a.yaml', eip('pool-a', '10.1.0.0/24')), true, 'changed back, against the staged entry');
    assert.equal(s.indexWorkspaceFile('file:///b.yaml', eip('pool-b', '10.2.0.0/24')), false, 'same as before');
    assert.equal(s.removeWorkspaceFile('file:///none.yaml'), false);
    s.endIndexBatch();
    assert.deepEqual(changed, []);
    assert.equal(s.isFresh(OPEN, SERVICE), true);
  });
});

describe('workspace problems index in batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-batch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const FILES = 40;
  const path = (i: number) => join(dir, `pools-${i}.yaml`);
  for (let i = 0; i < FILES; i++) writeFileSync(path(i), eip(`pool-${i}`, `10.0.${i}.0/24`));

  const s = new OpenElbLanguageService();
  const logs: string[] = [];
  let passDone: (() => void) | undefined;
  const problems = new WorkspaceProblems({
    service: s, isOpen: () => false, publish: () => {}, refreshOpen: () => {},
    log: (m) => {
      logs.push(m);
      if (m.startsWith('workspace problems: pass done')) passDone?.();
    },
  });
  let notices = 0;
  s.onIndexChanged = () => {
    notices++;
    problems.indexChanged();
  };
  problems.setEventDelay(0);

  it('the first scan changes the index once, not once per file', async () => {
    await problems.start([dir]);
    assert.equal(notices, 1, logs.join('\n'));
    assert.equal(eipNames(s).length, FILES);
  });

  it('a burst of file events changes the index once', async () => {
    for (let i = 0; i < 10; i++) writeFileSync(path(i), eip(`renamed-${i}`, `10.0.${i}.0/24`));
    const done = new Promise<void>((resolve) => (passDone = resolve));
    problems.filesChanged(Array.from({ length: 10 }, (_, i) => ({ uri: pathToFileURL(path(i)).toString(), type: FileChangeType.Changed })));
    await done;
    assert.equal(notices, 2, logs.join('\n'));
    assert.equal(eipNames(s).filter((n) => n.startsWith('renamed-')).length, 10);
  });
});
