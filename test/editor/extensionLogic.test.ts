// The extension's pure parts, without an editor: API error → YAML line mapping, the usage bar,
// cluster facts from watched objects, multi-file kubeconfig loading (the runtime's loader under
// the editor's settings), and the snippets being generated from the language server's templates
// (one source).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { objectsOf, parseFieldPath, problemsOf, rangeOfField } from '../../client/src/commands/applyErrors';
import { usageBar } from '../../client/src/tree/usageBar';
import { emptyObjects, nodeAddresses, nodeInterfaces, toClusterFacts, type KObject } from '../../client/src/cluster/clusterState';
import { loadEditorKubeconfig } from '../../client/src/cluster/editorKubeconfig';

const REPO = resolve(__dirname, '../..');

describe('apply error mapping', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  ports:\n    - port: 80\n    - port: 99999\n---\napiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: x\nspec:\n  protocol: layer3\n';
  const { objects, errors } = objectsOf(text);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;

  it('splits documents and keeps their YAML nodes', () => {
    assert.equal(errors.length, 0);
    assert.deepEqual(objects.map((o) => o.object.kind), ['Service', 'Eip']);
  });

  it('parses Kubernetes field paths', () => {
    assert.deepEqual(parseFieldPath('spec.ports[1].port'), ['spec', 'ports', 1, 'port']);
    assert.deepEqual(parseFieldPath('metadata.annotations[lb.kubesphere.io/v1alpha1]'), ['metadata', 'annotations', 'lb.kubesphere.io/v1alpha1']);
    assert.deepEqual(parseFieldPath('.spec.address'), ['spec', 'address']);
  });

  it('puts a refusal on the line of the field, or of the deepest existing parent', () => {
    const [svc, eip] = objects;
    assert.equal(lineOf(rangeOfField(svc.doc, parseFieldPath('spec.ports[1].port'), [0, 1])[0]), 9);
    assert.equal(lineOf(rangeOfField(eip.doc, parseFieldPath('spec.protocol'), [0, 1])[0]), 16);
    assert.equal(lineOf(rangeOfField(eip.doc, parseFieldPath('spec.nothere.deeper'), [0, 1])[0]), 15, 'falls back to spec');
  });

  it('reads causes out of a Status body, and survives non-JSON bodies', () => {
    const body = JSON.stringify({ kind: 'Status', message: 'Eip "x" is invalid', details: { causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "layer3"', field: 'spec.protocol' }] } });
    assert.deepEqual(problemsOf(body, 'x'), [{ field: 'spec.protocol', message: 'spec.protocol: Unsupported value: "layer3"' }]);
    assert.deepEqual(problemsOf('<html>bad gateway</html>', 'x'), [{ message: '<html>bad gateway</html>' }]);
  });

  it('reports YAML syntax errors instead of objects', () => {
    assert.ok(objectsOf('a: [1, 2\n').errors.length > 0);
  });
});

describe('usage bar', () => {
  it('fills cells in proportion and prints the percentage', () => {
    assert.equal(usageBar(0, 10), '▱▱▱▱▱▱▱▱▱▱ 0/10 0%');
    assert.equal(usageBar(2, 10), '▰▰▱▱▱▱▱▱▱▱ 2/10 20%');
    assert.equal(usageBar(10, 10), '▰▰▰▰▰▰▰▰▰▰ 10/10 100%');
  });
  it('shows any use and never shows a partly used pool as full', () => {
    assert.equal(usageBar(1, 65536), '▰▱▱▱▱▱▱▱▱▱ 1/65536 <1%');
    assert.match(usageBar(999, 1000), /^▰{9}▱ /);
  });
});

describe('cluster facts', () => {
  const node: KObject = {
    metadata: { name: 'w1', annotations: { 'openelb.kubesphere.io/interfaces': JSON.stringify([{ name: 'eth0', mac: 'aa:bb:cc:dd:ee:ff', addresses: ['10.0.0.5/24', 7] }, { bogus: true }]) } },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.0.11' }] },
  };

  it('reads node interfaces from the annotation, ignoring bad entries', () => {
    assert.deepEqual(nodeInterfaces(node), [{ name: 'eth0', mac: 'aa:bb:cc:dd:ee:ff', addresses: ['10.0.0.5/24'] }]);
    assert.equal(nodeInterfaces({ metadata: { annotations: { 'openelb.kubesphere.io/interfaces': '{not json' } } }), undefined);
    assert.deepEqual(nodeAddresses(node).map((a) => a.address), ['10.0.0.5', '192.168.0.11']);
  });

  it('builds facts only when connected', () => {
    const objects = emptyObjects();
    objects.nodes.set('w1', node);
    objects.eips.set('e', { metadata: { name: 'e' }, spec: { address: '10.1.0.0/30', protocol: 'bgp' } });
    objects.services.set('default/web', { metadata: { name: 'web', namespace: 'default', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '10.1.0.0' }] } } });
    objects.services.set('default/other', { metadata: { name: 'other', namespace: 'default' }, spec: { type: 'ClusterIP' } });
    assert.equal(toClusterFacts({ state: 'unreachable', objects }), null);
    const facts = toClusterFacts({ state: 'connected', context: 'ctx', objects });
    assert.equal(facts?.context, 'ctx');
    assert.deepEqual(facts?.eips.map((e) => [e.name, e.address, e.source]), [['e', '10.1.0.0/30', 'cluster']]);
    assert.deepEqual(facts?.services, [{ namespace: 'default', name: 'web', eip: undefined, ip: '10.1.0.0' }]);
    assert.equal(facts?.nodes[0].interfaces?.[0].name, 'eth0');
    // It travels as JSON in a notification: nothing in it may be a bigint.
    assert.doesNotThrow(() => JSON.stringify(facts));
  });
});

describe('editor kubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-kc-'));
  const file = (name: string, ctx: string, current: boolean) => {
    const p = join(dir, name);
    writeFileSync(p, `apiVersion: v1\nkind: Config\n${current ? `current-context: ${ctx}\n` : ''}clusters:\n- name: ${ctx}\n  cluster: {server: "https://127.0.0.1:6443"}\nusers:\n- name: ${ctx}\n  user: {token: "t"}\ncontexts:\n- name: ${ctx}\n  context: {cluster: ${ctx}, user: ${ctx}}\n`);
    return p;
  };
  const a = file('a', 'alpha', true);
  const b = file('b', 'beta', false);

  it('merges a multi-file KUBECONFIG and selects a context', () => {
    const res = loadEditorKubeconfig(undefined, undefined, { KUBECONFIG: `${a}:${b}` });
    assert.ok(res.ok);
    assert.deepEqual(res.kc.getContexts().map((c) => c.name), ['alpha', 'beta']);
    assert.equal(res.kc.getCurrentContext(), 'alpha');
    const beta = loadEditorKubeconfig(`${a}:${b}`, 'beta', {});
    assert.ok(beta.ok && beta.kc.getCurrentContext() === 'beta');
  });

  it('says when there is no kubeconfig, and falls back from a stale context', () => {
    const none = loadEditorKubeconfig(join(dir, 'missing'), undefined, {});
    assert.ok(!none.ok && none.reason === 'none');
    const stale = loadEditorKubeconfig(a, 'gone', {});
    assert.ok(stale.ok && stale.kc.getCurrentContext() === 'alpha');
  });

  it('loads through the runtime loader: a setting list skips missing files, broken files are invalid', () => {
    const list = loadEditorKubeconfig(` ${join(dir, 'missing')} : ${b} `, 'beta', { KUBECONFIG: a });
    assert.ok(list.ok && list.kc.getContexts().map((c) => c.name).join() === 'beta', 'the setting wins over KUBECONFIG');
    assert.ok(list.ok && list.source.startsWith('setting openelb.kubeconfig'));
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'clusters: [\n');
    const bad = loadEditorKubeconfig(broken, undefined, {});
    assert.ok(!bad.ok && bad.reason === 'invalid' && /cannot read kubeconfig/.test(bad.message), JSON.stringify(bad));
  });
});

describe('snippets', () => {
  it('are generated from the language server templates (run node client/tools/generateSnippets.mjs)', () => {
    const r = spawnSync(process.execPath, ['client/tools/generateSnippets.mjs', '--check'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
