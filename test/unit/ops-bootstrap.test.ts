// The pods' bootstrap, run as the kubelet runs it: the container command and environment from
// the deployed DaemonSet, over the runtime ConfigMap's files written out as its volume would be.
// It runs the bundle only when the bundle's and the helper's SHA-256 match the pod spec, and
// refuses, naming the file and both digests, when the ConfigMap was changed behind deploy's back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { buildManifests } from '../../runtime/src/ops/manifests';
import { compressBundle, runtimeConfigMap, type RuntimeFiles } from '../../runtime/src/ops/runtimeFiles';
import { REFUSED_EXIT } from '../../runtime/src/ops/bootstrap';
import { helperArch, helperFileName } from '../../runtime/src/speaker/layer2/helperPath';

const arch = helperArch()!;
const HELPER = Buffer.from('#!/bin/sh\necho checked helper\n');
// The stand-in bundle reports what it was started with, so a test sees whether it ran at all.
const bundleSource = (mark: string) => `require('node:fs').writeFileSync(process.env.MARK, JSON.stringify({ mark: ${JSON.stringify(mark)},
  argv: process.argv.slice(2), helper: process.env.OPENELB_PACKET_HELPER ?? null, helperDir: process.env.OPENELB_HELPER_DIR ?? null }));`;
const FILES: RuntimeFiles = { bundle: Buffer.from(bundleSource('genuine')), helpers: { [arch]: HELPER } };

interface Pod { volume: string; helperDir: string; mark: string; container: V1Container }

/** The speaker pod's container and its ConfigMap volume, as files in a temporary folder. */
function speakerPod(): Pod {
  const root = mkdtempSync(join(tmpdir(), 'openelb-bootstrap-'));
  const volume = join(root, 'runtime');
  const helperDir = join(root, 'helper');
  for (const d of [volume, helperDir]) mkdirSync(d);
  const cm = runtimeConfigMap(FILES);
  for (const [k, v] of Object.entries(cm.data ?? {})) writeFileSync(join(volume, k), v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) writeFileSync(join(volume, k), Buffer.from(v, 'base64'));
  const ds = buildManifests({ runtime: FILES }).find((o) => o.kind === 'DaemonSet')!;
  const container = (ds.spec as { template: { spec: { containers: V1Container[] } } }).template.spec.containers[0];
  return { volume, helperDir, mark: join(root, 'mark.json'), container };
}

/** Runs the container's command (the volume at its test path) with the pod's environment. */
function run(pod: Pod, envChange: (env: NodeJS.ProcessEnv) => void = () => {}, command = pod.container.command!) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, MARK: pod.mark, NODE_NAME: 'n1' };
  for (const e of pod.container.env ?? []) if (e.value !== undefined) env[e.name] = e.name === 'OPENELB_HELPER_DIR' ? pod.helperDir : e.value;
  envChange(env);
  const args = command.slice(1).map((a) => a.replace('/opt/openelb', pod.volume).replace('$(NODE_NAME)', 'n1'));
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 20_000 });
  const ran = existsSync(pod.mark) ? JSON.parse(readFileSync(pod.mark, 'utf8')) as { mark: string; argv: string[]; helper: string | null; helperDir: string | null } : undefined;
  return { status: r.status, stderr: r.stderr, ran };
}

test('an intact runtime: the bootstrap checks both files, unpacks the helper, runs the bundle with its arguments', () => {
  const pod = speakerPod();
  const r = run(pod);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.ran?.mark, 'genuine');
  assert.deepEqual(r.ran?.argv, ['speaker', '--node', 'n1', '--gossip-port', '7947']);
  const unpacked = join(pod.helperDir, helperFileName(arch));
  assert.equal(r.ran?.helper, unpacked, 'the speaker is pointed at the checked copy');
  assert.equal(r.ran?.helperDir, null, 'and does not unpack the ConfigMap\'s file again');
  assert.ok(readFileSync(unpacked).equals(HELPER));
  assert.match(r.stderr, /packet helper checked \(SHA-256\)/);
});

test('a tampered bundle in the ConfigMap: the pod refuses to start, names the file and both digests, runs nothing', () => {
  const pod = speakerPod();
  writeFileSync(join(pod.volume, 'openelb.js.br'), compressBundle(Buffer.from(bundleSource('tampered'))));
  const r = run(pod);
  assert.equal(r.status, REFUSED_EXIT);
  assert.match(r.stderr, /openelb: refusing to start: openelb\.js\.br in ConfigMap openelb-system\/openelb-runtime has SHA-256 [0-9a-f]{64} but this pod expects [0-9a-f]{64} \(OPENELB_BUNDLE_SHA256\): the ConfigMap was changed after openelb deploy wrote it/);
  assert.equal(r.ran, undefined, 'the tampered bundle did not run');
  assert.equal(existsSync(join(pod.helperDir, helperFileName(arch))), false);
});

test('a tampered packet helper: refused before it is unpacked or the bundle runs', () => {
  const pod = speakerPod();
  writeFileSync(join(pod.volume, `${helperFileName(arch)}.br`), compressBundle(Buffer.from('#!/bin/sh\necho evil\n')));
  const r = run(pod);
  assert.equal(r.status, REFUSED_EXIT);
  assert.match(r.stderr, new RegExp(`refusing to start: ${helperFileName(arch)}\\.br in ConfigMap .* has SHA-256 [0-9a-f]{64} but this pod expects [0-9a-f]{64} \\(OPENELB_HELPER_SHA256_${arch.toUpperCase()}\\)`));
  assert.equal(r.ran, undefined);
  assert.equal(existsSync(join(pod.helperDir, helperFileName(arch))), false);
});

test('no digest in the environment: refused; a helper not shipped: the speaker is left to report it', () => {
  const pod = speakerPod();
  const r = run(pod, (env) => { delete env.OPENELB_BUNDLE_SHA256; });
  assert.equal(r.status, REFUSED_EXIT);
  assert.match(r.stderr, /the pod spec has no SHA-256 for openelb\.js\.br \(OPENELB_BUNDLE_SHA256\)/);
  rmSync(join(pod.volume, `${helperFileName(arch)}.br`));
  const missing = run(pod);
  assert.equal(missing.status, 0, missing.stderr);
  assert.equal(missing.ran?.helper, null);
  assert.equal(missing.ran?.helperDir, pod.helperDir, 'the speaker finds it missing and reports Layer2OpenFailed');
});

test('the ConfigMap\'s openelb.js (for kubectl exec) is the same bootstrap and checks the same way', () => {
  const pod = speakerPod();
  const asFile = ['node', '/opt/openelb/openelb.js', 'status'];
  assert.equal(run(pod, () => {}, asFile).ran?.mark, 'genuine');
  rmSync(pod.mark);
  writeFileSync(join(pod.volume, 'openelb.js.br'), compressBundle(Buffer.from(bundleSource('tampered'))));
  const r = run(pod, () => {}, asFile);
  assert.equal(r.status, REFUSED_EXIT);
  assert.equal(r.ran, undefined);
});

test('the command holds no $(...) but $(NODE_NAME): Kubernetes would expand it', () => {
  const pod = speakerPod();
  const refs = pod.container.command!.join(' ').match(/\$\([^)]*\)/g);
  assert.deepEqual(refs, ['$(NODE_NAME)']);
});
