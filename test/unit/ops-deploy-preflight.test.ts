// deploy against an API server that cannot enforce ValidatingAdmissionPolicy (before Kubernetes
// 1.30, e.g. upstream's 1.22): it warns before any write, saying what stays open and what to do,
// then goes on without the policy. The server is a stub answering discovery over plain HTTP on
// 127.0.0.1 and 404 to everything else, so the deploy fails later, at its first real request.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deploy } from '../../runtime/src/ops/deploy';
import { UNCONFINED_WARNING } from '../../runtime/src/ops/clusterSupport';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';

const RUNTIME = { bundle: Buffer.from('bundle'), helpers: { amd64: Buffer.from('helper') } };
const requests: string[] = [];
let server: Server;
let kubeconfig: string;

before(async () => {
  // A 1.29-like server: admissionregistration.k8s.io/v1 without validatingadmissionpolicies; all else 404.
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/apis/admissionregistration.k8s.io/v1') {
      res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'admissionregistration.k8s.io/v1',
        resources: [{ name: 'validatingwebhookconfigurations' }, { name: 'mutatingwebhookconfigurations' }] }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'openelb-preflight-')), 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`);
});
after(() => { server?.close(); });

test('without ValidatingAdmissionPolicy v1 deploy warns before any write, naming the version and what stays open, and goes on', async () => {
  const kc = loadKubeConfig({ kubeconfig });
  const notes: string[] = [];
  let writesBeforeWarning = -1;
  await assert.rejects(deploy(kc, {
    runtime: RUNTIME,
    onNote: (m) => { notes.push(m); writesBeforeWarning = requests.filter((r) => !r.startsWith('GET ')).length; },
  }), (e: Error) => !/ValidatingAdmissionPolicy/.test(e.message));
  assert.deepEqual(notes, [UNCONFINED_WARNING]);
  assert.match(UNCONFINED_WARNING, /Kubernetes 1\.30\+.*deployed unconfined.*every Node's annotations.*Upgrade the control plane/);
  assert.equal(writesBeforeWarning, 0, 'the warning comes before anything is written');
  // It went on (to look for upstream OpenELB, where this stub's 404 ends it).
  assert.ok(requests.some((r) => r.includes('webhookconfigurations')), `it went on to deploy: ${requests.join(', ')}`);
  assert.ok(!requests.some((r) => r.includes('validatingadmissionpolic')), 'no policy is sent to a server that cannot serve it');
});
