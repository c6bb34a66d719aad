// The runtime `openelb deploy` ships: the bundled CLI (dist/openelb.js) and the static packet
// helpers (dist/openelb-packet-helper-<arch>), all brotli-compressed into one ConfigMap that the
// pods mount read-only. The speaker unpacks its architecture's helper at start
// (speaker/layer2/helperPath.ts, unpackShippedHelper).
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { HELPER_ARCHS, helperFileName, type HelperArch } from '../speaker/layer2/helperPath';
import { LABELS, NAMESPACE, RUNTIME_CONFIGMAP } from './names';
import { OpsError } from './opsError';

export const BUNDLE_NAME = 'openelb.js';
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
 * The pod-side entry, stored as `openelb.js`: the bundled CLI is several MB, so it ships
 * brotli-compressed next to it and this loader runs it as if it were the file itself
 * (same folder, so the shipped helpers are found next to it and `node openelb.js ARGS` works).
 */
export const RUNTIME_LOADER = `'use strict';
// OpenELB runtime loader (written by \`openelb deploy\`): runs the compressed bundle ${BUNDLE_NAME}.br.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { brotliDecompressSync } = require('node:zlib');
const Module = require('node:module');
const file = join(__dirname, 'openelb-bundle.js');
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(__dirname);
m._compile(brotliDecompressSync(readFileSync(join(__dirname, '${BUNDLE_NAME}.br'))).toString('utf8'), file);
`;

/**
 * Brotli at quality 9: about 6% of the bundle's size (40% of a static helper) in well under a
 * second, deterministic. Quality 11 saves another 9% on the helpers but takes 6 s per deploy.
 */
export function compressBundle(bundle: Buffer): Buffer {
  return brotliCompressSync(bundle, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bundle.length } });
}

/** The ConfigMap's binaryData (compressed bundle and helpers) before base64. */
function packedFiles(files: RuntimeFiles): Record<string, Buffer> {
  const out: Record<string, Buffer> = { [`${BUNDLE_NAME}.br`]: compressBundle(files.bundle) };
  for (const arch of shippedArchs(files)) out[helperKey(arch)] = compressBundle(files.helpers[arch]!);
  return out;
}

export function runtimeConfigMap(files: RuntimeFiles): V1ConfigMap {
  const packed = packedFiles(files);
  const size = RUNTIME_LOADER.length + Object.values(packed).reduce((n, b) => n + b.length, 0);
  if (size > CONFIGMAP_LIMIT - 4096) {
    const parts = Object.entries(packed).map(([k, b]) => `${k} ${b.length}`).join(', ');
    throw new OpsError(`the runtime (${size} bytes compressed: ${parts}) does not fit in a ConfigMap (limit ${CONFIGMAP_LIMIT} bytes)`);
  }
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: RUNTIME_CONFIGMAP, namespace: NAMESPACE, labels: LABELS },
    data: { [BUNDLE_NAME]: RUNTIME_LOADER },
    binaryData: Object.fromEntries(Object.entries(packed).map(([k, b]) => [k, b.toString('base64')])),
  };
}

/** A short digest of the runtime, put on the pod templates so a new bundle or helper rolls the pods. */
export function runtimeDigest(files: RuntimeFiles): string {
  const h = createHash('sha256').update(files.bundle);
  for (const arch of shippedArchs(files)) h.update(arch).update(files.helpers[arch]!);
  return h.digest('hex').slice(0, 16);
}
