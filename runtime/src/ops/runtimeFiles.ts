// The runtime `openelb deploy` ships: the bundled CLI (dist/openelb.js) and the static packet
// helpers (dist/openelb-packet-helper-<arch>), all brotli-compressed into one ConfigMap that the
// pods mount read-only, and the SHA-256 of each stored file, which deploy puts into the pod
// specs: the pods' bootstrap (bootstrap.ts) refuses to load or run a file that does not match.
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { HELPER_ARCHS, helperFileName, type HelperArch } from '../speaker/layer2/helperPath';
import { BOOTSTRAP, sha256 } from './bootstrap';
import { BUNDLE_NAME, LABELS, NAMESPACE, RUNTIME_CONFIGMAP } from './names';
import { OpsError } from './opsError';

export { BUNDLE_NAME };
/** The API server refuses ConfigMaps over 1 MiB (data + binaryData). */
export const CONFIGMAP_LIMIT = 1024 * 1024;
/** The architecture every deployment must have a helper for (most clusters run only it). */
export const REQUIRED_ARCH: HelperArch = 'amd64';

export interface RuntimeFiles {
  /** The bundled CLI (dist/openelb.js). */
  bundle: Buffer;
  /** The static packet helper per architecture; amd64 is required to deploy. */
  helpers: Partial<Record<HelperArch, Buffer>>;
}

/** The ConfigMap key of an architecture's compressed helper: "openelb-packet-helper-amd64.br". */
export const helperKey = (arch: HelperArch): string => `${helperFileName(arch)}.br`;

/** The architectures `files` carries a helper for, in HELPER_ARCHS order. */
export function shippedArchs(files: RuntimeFiles): HelperArch[] {
  return HELPER_ARCHS.filter((a) => files.helpers[a] !== undefined);
}

/**
 * Finds the bundle to ship: the running script itself when we run from dist/ (esbuild keeps
 * __dirname as the bundle's folder), else dist/ of the source tree (tests run through tsx).
 */
export function findRuntimeBundle(explicit?: string): string {
  const candidates = explicit ? [resolve(explicit)] : [join(__dirname, BUNDLE_NAME), resolve(__dirname, '../../../dist', BUNDLE_NAME)];
  for (const p of candidates) if (existsSync(p)) return p;
  throw new OpsError(`the runtime bundle ${BUNDLE_NAME} was not found (looked in ${candidates.join(', ')}); run \`npm run build\` first`);
}

/** Reads the bundle and the helpers next to it; refuses without the amd64 helper. */
export function readRuntimeFiles(bundlePath?: string): RuntimeFiles {
  const path = findRuntimeBundle(bundlePath);
  const helpers: RuntimeFiles['helpers'] = {};
  for (const arch of HELPER_ARCHS) {
    const p = join(dirname(path), helperFileName(arch));
    if (existsSync(p)) helpers[arch] = readFileSync(p);
  }
  const files = { bundle: readFileSync(path), helpers };
  requireHelper(files, join(dirname(path), helperFileName(REQUIRED_ARCH)));
  return files;
}

/** Without the helper, Layer2 cannot answer ARP/NDP: refuse rather than ship a runtime that cannot. */
export function requireHelper(files: RuntimeFiles, where = helperFileName(REQUIRED_ARCH)): void {
  if (files.helpers[REQUIRED_ARCH]?.length) return;
  throw new OpsError(`the packet helper ${where} is missing (Layer2 mode cannot answer ARP/NDP without it); run \`npm run build\` (needs gcc and libc6-dev) first`);
}

/**
 * Brotli at quality 9: about 6% of the bundle's size (40% of a static helper) in well under a
 * second, deterministic. Quality 11 saves another 9% on the helpers but takes 6 s per deploy.
 */
export function compressBundle(bundle: Buffer): Buffer {
  return brotliCompressSync(bundle, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bundle.length } });
}

const packedCache = new WeakMap<RuntimeFiles, Record<string, Buffer>>();

/** The ConfigMap's binaryData (compressed bundle and helpers) before base64; packed once per `files`. */
function packedFiles(files: RuntimeFiles): Record<string, Buffer> {
  const cached = packedCache.get(files);
  if (cached) return cached;
  const out: Record<string, Buffer> = { [`${BUNDLE_NAME}.br`]: compressBundle(files.bundle) };
  for (const arch of shippedArchs(files)) out[helperKey(arch)] = compressBundle(files.helpers[arch]!);
  packedCache.set(files, out);
  return out;
}

export function runtimeConfigMap(files: RuntimeFiles): V1ConfigMap {
  const packed = packedFiles(files);
  const size = BOOTSTRAP.length + Object.values(packed).reduce((n, b) => n + b.length, 0);
  if (size > CONFIGMAP_LIMIT - 4096) {
    const parts = Object.entries(packed).map(([k, b]) => `${k} ${b.length}`).join(', ');
    throw new OpsError(`the runtime (${size} bytes compressed: ${parts}) does not fit in a ConfigMap (limit ${CONFIGMAP_LIMIT} bytes)`);
  }
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: RUNTIME_CONFIGMAP, namespace: NAMESPACE, labels: LABELS },
    // The same bootstrap as in the pod spec, so `kubectl exec … node /opt/openelb/openelb.js ARGS`
    // works in a pod (whose environment has the digests) and checks the files the same way.
    data: { [BUNDLE_NAME]: BOOTSTRAP },
    binaryData: Object.fromEntries(Object.entries(packed).map(([k, b]) => [k, b.toString('base64')])),
  };
}

export interface RuntimeDigests {
  /** SHA-256 (hex) of the stored openelb.js.br. */
  bundle: string;
  /** SHA-256 (hex) of each shipped openelb-packet-helper-<arch>.br. */
  helpers: Partial<Record<HelperArch, string>>;
}

/** The SHA-256 of each file as stored in the ConfigMap: what the pods' bootstrap checks. */
export function runtimeDigests(files: RuntimeFiles): RuntimeDigests {
  const packed = packedFiles(files);
  const helpers: RuntimeDigests['helpers'] = {};
  for (const arch of shippedArchs(files)) helpers[arch] = sha256(packed[helperKey(arch)]);
  return { bundle: sha256(packed[`${BUNDLE_NAME}.br`]), helpers };
}
