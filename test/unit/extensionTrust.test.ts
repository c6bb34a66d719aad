// Workspace trust, the parts that need no editor: what the manifest declares (VS Code reads it to
// decide which settings a folder may set and whether the extension runs untrusted) and how
// confirmations name the cluster and the image. The behaviour in VS Code is test/editor/trust.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeImage, describeTarget } from '../../client/src/cluster/target';
import { DEFAULT_IMAGE } from '../../runtime/src/ops/names';
import { REPO } from '../harness/repo';

interface Setting { type: string; scope?: string; markdownDescription?: string }
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Setting> } };
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; restrictedConfigurations?: string[]; description?: string } };
};
const settings = manifest.contributes.configuration.properties;

describe('workspace trust in the manifest', () => {
  it('runs in untrusted folders in limited mode, with a description', () => {
    const trust = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    assert.match(trust?.description ?? '', /not trusted.*does not connect to the cluster/s);
  });

  it('keeps a folder from setting what runs commands (kubeconfig) or what runs in the cluster (image)', () => {
    // "machine": read from user/remote settings only; a folder's .vscode/settings.json is ignored.
    assert.equal(settings['openelb.kubeconfig']?.scope, 'machine');
    assert.equal(settings['openelb.runtimeImage']?.scope, 'machine');
  });

  // A folder may set these in an untrusted workspace: they choose nothing that runs or connects.
  const HARMLESS = ['openelb.problems.scope'];

  it('restricts every OpenELB setting in untrusted folders except the harmless ones', () => {
    const restricted = manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
    assert.deepEqual([...restricted].sort(), ['openelb.context', 'openelb.kubeconfig', 'openelb.runtimeImage']);
    // A new setting must be put in one list or the other, on purpose.
    assert.deepEqual([...restricted, ...HARMLESS].sort(), Object.keys(settings).sort());
  });
});

describe('confirmations name the cluster and the image', () => {
  const kc = (context: string, server?: string) => ({
    getCurrentContext: () => context,
    getCurrentCluster: () => (server ? { server } : null),
  });

  it('names the context and its API server', () => {
    assert.equal(describeTarget(kc('prod', 'https://10.0.0.1:6443')), 'context prod (https://10.0.0.1:6443)');
    assert.equal(describeTarget(kc('')), 'context (none)');
  });

  it('names the image, saying when it is the default', () => {
    assert.match(describeImage(undefined), new RegExp(`^image ${DEFAULT_IMAGE.replace(/[.]/g, '\\.')} \\(the default`));
    assert.equal(describeImage('node:24@sha256:' + 'a'.repeat(64)), `image node:24@sha256:${'a'.repeat(64)} (setting openelb.runtimeImage)`);
  });
});
