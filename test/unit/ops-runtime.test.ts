// The pure parts of deploy/undeploy/status: image references, the runtime files and their
// ConfigMap, which Services hold OpenELB state, and the status warning about failing nodes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { test } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import { checkImage, imageProblem } from '../../runtime/src/ops/image';
import { readRuntimeFiles, requireHelper, runtimeConfigMap, runtimeDigests, shippedArchs } from '../../runtime/src/ops/runtimeFiles';
import { buildManifests } from '../../runtime/src/ops/manifests';
import { DEFAULT_IMAGE } from '../../runtime/src/ops/names';
import { describeHeld, heldBy, HeldServicesError } from '../../runtime/src/ops/heldServices';
import { buildStatus, formatStatus } from '../../runtime/src/ops/status';
import { deployCommand } from '../../runtime/src/cli/deploy';
import { OpsError } from '../../runtime/src/ops/opsError';

const HEX = 'a'.repeat(64);

test('image references: tags, registries and digests are accepted', () => {
  for (const ok of [DEFAULT_IMAGE, 'node', 'node:24', `node@sha256:${HEX}`, `node:24-bookworm-slim@sha256:${HEX}`,
    'docker.io/library/node:24-bookworm-slim', 'localhost:5000/mirror/node:24', 'registry.example.com:443/a/b__c/d-e.f:v1.2_3',
    `ghcr.io/org/node@sha512:${'0'.repeat(128)}`]) {
    assert.equal(imageProblem(ok), undefined, ok);
  }
  assert.equal(DEFAULT_IMAGE, 'node:24-bookworm-slim');
});

test('image references: each mistake is named', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['node :24', /whitespace/],
    ['node@sha256:abc', /sha256: followed by 64 lowercase hex digits \(got 3\)/],
    [`node@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`node@md5:${HEX}`, /must start with sha256:/],
    ['node:-24', /tag "-24"/],
    ['node:' + 'x'.repeat(129), /tag/],
    ['Node:24', /path component "Node" must be lowercase/],
    ['library//node', /path component ""/],
    ['node_:24', /path component "node_"/],
    ['registry.example.com:x/node', /registry port "x"/],
    ['bad_host.com/node', /registry "bad_host.com" is not a host name/],
  ];
  for (const [ref, why] of cases) assert.match(imageProblem(ref) ?? 'accepted', why, ref);
  assert.throws(() => checkImage('Node'), (e: Error) => e instanceof OpsError && /invalid image "Node".*expected NAME\[:TAG\]\[@sha256:/.test(e.message));
  assert.equal(checkImage(`node@sha256:${HEX}`), `node@sha256:${HEX}`);
});

test('`openelb deploy --image` with a bad reference is a usage error before any cluster call', async () => {
  const err: string[] = [];
  const code = await deployCommand(['--image', 'node@sha256:123', '--kubeconfig', '/nonexistent'], () => {}, (s) => err.push(s));
  assert.equal(code, 2);
  assert.match(err.join('\n'), /--image node@sha256:123: digest .* 64 lowercase hex digits/);
});

test('the runtime files: the amd64 helper is required, and named when missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-dist-'));
  writeFileSync(join(dir, 'openelb.js'), 'console.log(1)');
  assert.throws(() => readRuntimeFiles(join(dir, 'openelb.js')),
    (e: Error) => e instanceof OpsError && e.message.includes(join(dir, 'openelb-packet-helper-amd64')) && e.message.includes('npm run build'));
  writeFileSync(join(dir, 'openelb-packet-helper-amd64'), 'amd64 helper');
  const files = readRuntimeFiles(join(dir, 'openelb.js'));
  assert.deepEqual(shippedArchs(files), ['amd64']);
  assert.throws(() => requireHelper({ bundle: Buffer.from('x'), helpers: { arm64: Buffer.from('y') } }), /openelb-packet-helper-amd64 is missing/);
});

test('the runtime ConfigMap carries one compressed helper per architecture, each with its own digest', () => {
  const files = { bundle: Buffer.from('bundle'), helpers: { amd64: Buffer.from('A'.repeat(1000)), arm64: Buffer.from('B'.repeat(1000)) } };
  const cm = runtimeConfigMap(files);
  assert.deepEqual(Object.keys(cm.binaryData ?? {}).sort(), ['openelb-packet-helper-amd64.br', 'openelb-packet-helper-arm64.br', 'openelb.js.br']);
  assert.ok(brotliDecompressSync(Buffer.from(cm.binaryData!['openelb-packet-helper-arm64.br'], 'base64')).equals(files.helpers.arm64));
  const d = runtimeDigests(files);
  assert.deepEqual(Object.keys(d.helpers).sort(), ['amd64', 'arm64']);
  assert.notEqual(d.helpers.amd64, d.helpers.arm64);
  const big = { bundle: Buffer.from('b'), helpers: { amd64: randomBytes(1100 * 1024) } };
  assert.throws(() => runtimeConfigMap(big), /openelb-packet-helper-amd64\.br \d+\) does not fit in a ConfigMap/);
});

test('the speaker pod unpacks its helper into a writable emptyDir named by OPENELB_HELPER_DIR', () => {
  const ds = buildManifests({ runtime: { bundle: Buffer.from('b'), helpers: { amd64: Buffer.from('h') } } }).find((o) => o.kind === 'DaemonSet')!;
  const pod = (ds.spec as { template: { spec: { containers: { env: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[]; volumes: { name: string; emptyDir?: object }[] } } }).template.spec;
  const dir = pod.containers[0].env.find((e) => e.name === 'OPENELB_HELPER_DIR')?.value;
  const mount = pod.containers[0].volumeMounts.find((m) => m.mountPath === dir);
  assert.ok(mount && !mount.readOnly, `mounted writable at ${dir}`);
  assert.ok(pod.volumes.find((v) => v.name === mount.name)?.emptyDir);
});

const service = (name: string, extra: { finalizers?: string[]; labels?: Record<string, string>; annotated?: boolean; ips?: string[] }): V1Service => ({
  metadata: { name, namespace: 'ns', finalizers: extra.finalizers, labels: extra.labels, annotations: extra.annotated ? { 'lb.kubesphere.io/v1alpha1': 'openelb' } : {} },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: (extra.ips ?? []).map((ip) => ({ ip })) } },
});

test('held Services: our finalizer, our pool label, or an address on a Service OpenELB serves', () => {
  assert.deepEqual(heldBy(service('a', { finalizers: ['finalizer.lb.kubesphere.io/v1alpha1'], ips: ['192.168.0.5'] })),
    { namespace: 'ns', name: 'a', addresses: ['192.168.0.5'], finalizer: true });
  assert.deepEqual(heldBy(service('b', { annotated: true, ips: ['192.168.0.6'] }))?.addresses, ['192.168.0.6']);
  assert.equal(heldBy(service('c', { labels: { 'eip.openelb.kubesphere.io/v1alpha2': 'pool' } }))?.poolLabel, 'pool');
  assert.equal(heldBy(service('d', { ips: ['10.0.0.1'] })), undefined, 'another load balancer\'s address is not ours');
  assert.equal(heldBy(service('e', { annotated: true })), undefined, 'waiting for an address holds nothing');
  const held = [heldBy(service('a', { finalizers: ['finalizer.lb.kubesphere.io/v1alpha1'], ips: ['192.168.0.5'] }))!,
    heldBy(service('f', { finalizers: ['finalizer.lb.kubesphere.io/v1alpha1'] }))!];
  assert.equal(describeHeld(held[1]), 'ns/f (finalizer only)');
  const e = new HeldServicesError(held);
  assert.ok(e instanceof OpsError);
  assert.match(e.message, /2 Services still hold .*ns\/a \(192\.168\.0\.5\), ns\/f \(finalizer only\).*--release-services/);
});

test('status warns about nodes that reported they cannot announce a pool', () => {
  const eip = {
    metadata: { name: 'l2' }, spec: { address: '192.168.0.0/28', protocol: 'layer2' },
    status: { conditions: [
      { type: 'Speaker.n1', status: 'True', reason: 'ConfigSpeaker', message: 'ok' },
      { type: 'Speaker.n2', status: 'False', reason: 'Layer2OpenFailed', message: 'cannot open eth0 for layer2: openelb-packet-helper for arm64 was not shipped' },
    ] },
  };
  const s = buildStatus([eip, { metadata: { name: 'fine' }, spec: { address: '10.0.0.0/30' } }], []);
  assert.deepEqual(s.pools.map((p) => [p.name, p.nodeProblems.map((f) => f.node)]), [['fine', []], ['l2', ['n2']]]);
  const text = formatStatus(s);
  assert.match(text, /^fine .*ok$/m);
  assert.match(text, /^l2 .*warning: 1 node\(s\) cannot announce$/m);
  assert.match(text, /^WARNING: Eip l2: node n2 cannot announce it \(Layer2OpenFailed: cannot open eth0 for layer2: .*not shipped\); it is left out of the election$/m);
  assert.doesNotMatch(text, /node n1/);
});
