// The editor's side of restricted Eips (rules/eipAccess.ts): a Service naming an Eip restricted
// to other namespaces is flagged whether the Eip is in the file, another workspace file or the
// cluster; exact range, message saying what is allowed; the annotation's value is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { eipFactFromObject } from '@openelb/core/model/facts';

const RESTRICT = 'eip.openelb.kubesphere.io/restrict-to-namespaces';

const restrictedEip = (binding: string): string => `apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: team-pool
  annotations:
    ${RESTRICT}: "true"
spec:
  address: 10.20.0.0/24
${binding}`;

const service = (ns: string | undefined, ann: string, extra = ''): string => `apiVersion: v1
kind: Service
metadata:
  name: web
${ns ? `  namespace: ${ns}\n` : ''}  annotations:
    lb.kubesphere.io/v1alpha1: openelb
${ann}spec:
  type: LoadBalancer
${extra}  ports:
  - port: 80
`;

const byName = '    eip.openelb.kubesphere.io/v1alpha2: team-pool\n';

function codes(svc: OpenElbLanguageService, text: string, uri = 'file:///svc.yaml'): { code: string; text: string; message: string }[] {
  return svc.problems(uri, text).filter((p) => p.code.startsWith('service-eip-namespace') || p.code.startsWith('eip-restrict'))
    .map((p) => ({ code: p.code, text: text.slice(p.start, p.end), message: p.message }));
}

test('a Service of another namespace naming a restricted Eip of the workspace: error on the Eip name, saying what is allowed', () => {
  const ls = new OpenElbLanguageService();
  ls.indexWorkspaceFile('file:///pools.yaml', restrictedEip('  namespaces:\n  - team-a\n  - team-c\n'));
  const [p, ...rest] = codes(ls, service('team-b', byName));
  assert.deepEqual(rest, []);
  assert.equal(p.code, 'service-eip-namespace-restricted');
  assert.equal(p.text, 'team-pool');
  assert.equal(p.message, `Eip 'team-pool' (in pools.yaml) is restricted to its namespaces (${RESTRICT}: "true") and serves only namespaces team-a, team-c; ` +
    'this Service is in namespace team-b, so it will get no address. Use an Eip that serves team-b');
  // From an allowed namespace: nothing.
  assert.deepEqual(codes(ls, service('team-c', byName)), []);
});

test('the Eip known from the cluster, and a requested address inside it, are flagged too', () => {
  const ls = new OpenElbLanguageService();
  const eip = eipFactFromObject({ metadata: { name: 'team-pool', annotations: { [RESTRICT]: 'true' } }, spec: { address: '10.20.0.0/24', namespaces: ['team-a'] } })!;
  ls.setClusterFacts({ eips: [eip], nodes: [], services: [] });
  const byAddress = codes(ls, service('team-b', '', '  loadBalancerIP: 10.20.0.7\n'));
  assert.deepEqual(byAddress.map((p) => [p.code, p.text]), [['service-eip-namespace-restricted', '10.20.0.7']]);
  assert.match(byAddress[0].message, /\(in the cluster\) .* serves only namespaces team-a; this Service is in namespace team-b/);
});

test('not flagged: no restriction, no metadata.namespace, or a selector whose labels the editor cannot know', () => {
  const ls = new OpenElbLanguageService();
  ls.indexWorkspaceFile('file:///open.yaml', restrictedEip('  namespaces:\n  - team-a\n').replace(`${RESTRICT}: "true"`, `${RESTRICT}: "false"`));
  assert.deepEqual(codes(ls, service('team-b', byName)), []);
  ls.indexWorkspaceFile('file:///open.yaml', restrictedEip('  namespaces:\n  - team-a\n'));
  assert.deepEqual(codes(ls, service(undefined, byName)), [], 'the namespace is chosen when applied');
  ls.indexWorkspaceFile('file:///open.yaml', restrictedEip('  namespaceSelector:\n    tenant: a\n'));
  assert.deepEqual(codes(ls, service('team-b', byName)), [], 'labels of team-b are unknown here');
});

test('the annotation: only "true" restricts (warning with a fix otherwise); restricted but binding nobody is a warning', () => {
  const ls = new OpenElbLanguageService();
  const yes = restrictedEip('  namespaces:\n  - team-a\n').replace('"true"', '"yes"');
  const [v] = codes(ls, yes, 'file:///yes.yaml');
  assert.equal(v.code, 'eip-restrict-value');
  assert.equal(v.text, 'yes');
  assert.match(v.message, /only the string "true" restricts the Eip .* so this Eip is open to every namespace/);
  const fix = ls.problems('file:///yes.yaml', yes).find((p) => p.code === 'eip-restrict-value')!.fixes![0].edits[0];
  assert.equal(yes.slice(0, fix.start) + fix.newText + yes.slice(fix.end), restrictedEip('  namespaces:\n  - team-a\n'));
  const [u] = codes(ls, restrictedEip(''), 'file:///none.yaml');
  assert.equal(u.code, 'eip-restrict-unbound');
  assert.match(u.message, /binds none .* no Service can get an address from it/);
});

test('a workspace file that turns its restriction on is seen by the other files', () => {
  const ls = new OpenElbLanguageService();
  const open = restrictedEip('  namespaces:\n  - team-a\n').replace(`${RESTRICT}: "true"`, `${RESTRICT}: "false"`);
  ls.indexWorkspaceFile('file:///pools.yaml', open);
  assert.deepEqual(codes(ls, service('team-b', byName)), []);
  ls.indexWorkspaceFile('file:///pools.yaml', restrictedEip('  namespaces:\n  - team-a\n'));
  assert.deepEqual(codes(ls, service('team-b', byName)).map((p) => p.code), ['service-eip-namespace-restricted']);
});
