// Where the compiled openelb-packet-helper lives. `npm run build` puts one static binary per
// CPU architecture in dist/ (openelb-packet-helper-amd64, -arm64); runtime/native/build.sh
// also builds a dynamic one into the cache for the net tests and copies it to
// dist/openelb-packet-helper. In a pod the helpers ship brotli-compressed in the runtime
// ConfigMap and the speaker unpacks its own architecture's copy at start (unpackShippedHelper).
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

export const HELPER_NAME = 'openelb-packet-helper';
/** The architectures `npm run build` can build the helper for (Kubernetes' GOARCH names). */
export const HELPER_ARCHS = ['amd64', 'arm64'] as const;
export type HelperArch = (typeof HELPER_ARCHS)[number];
/** Set on the speaker pod: a writable directory (emptyDir) to unpack the shipped helper into. */
export const HELPER_DIR_ENV = 'OPENELB_HELPER_DIR';

/** Kubernetes' name of a Node.js process.arch ("x64" → "amd64"), or undefined when we build none. */
export function helperArch(arch: string = process.arch): HelperArch | undefined {
  if (arch === 'x64') return 'amd64';
  return arch === 'arm64' ? 'arm64' : undefined;
}

/** "openelb-packet-helper-amd64". */
export const helperFileName = (arch: HelperArch): string => `${HELPER_NAME}-${arch}`;

export function cacheDir(): string {
  return process.env.OPENELB_CACHE || join(homedir(), '.cache', 'openelb-toolkit');
}

const scriptDir = (): string | undefined => (process.argv[1] ? dirname(process.argv[1]) : undefined);

/**
 * Order: $OPENELB_PACKET_HELPER, next to the running script (this architecture's static
 * build, then the plain name), then the build cache. Throws with the build command when none exists.
 */
export function findPacketHelper(): string {
  const arch = helperArch();
  const dir = scriptDir();
  const candidates = [
    process.env.OPENELB_PACKET_HELPER,
    dir && arch ? join(dir, helperFileName(arch)) : undefined,
    dir ? join(dir, HELPER_NAME) : undefined,
    join(cacheDir(), 'bin', HELPER_NAME),
  ].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  throw new Error(`${HELPER_NAME} for ${process.arch} not found (looked in ${candidates.join(', ')}); build it with \`npm run build\``);
}

/**
 * In a pod: unpacks `<script dir>/openelb-packet-helper-<arch>.br` into $OPENELB_HELPER_DIR and
 * returns the binary's path. Undefined when not in a pod (no $OPENELB_HELPER_DIR); throws when
 * this architecture's helper was not shipped or cannot be written. The ConfigMap volume is
 * read-only and too small for the uncompressed helpers, hence the unpacking.
 */
export function unpackShippedHelper(env: NodeJS.ProcessEnv = process.env, fromDir = scriptDir()): string | undefined {
  const toDir = env[HELPER_DIR_ENV];
  if (!toDir || !fromDir) return undefined;
  const arch = helperArch();
  if (!arch) throw new Error(`no ${HELPER_NAME} is built for this CPU architecture (${process.arch})`);
  const packed = join(fromDir, `${helperFileName(arch)}.br`);
  if (!existsSync(packed)) throw new Error(`${HELPER_NAME} for ${arch} was not shipped (${packed} is missing); deploy from a machine that builds it`);
  const out = join(toDir, helperFileName(arch));
  // Write then rename: a restarted container never runs half a binary.
  writeFileSync(`${out}.tmp`, brotliDecompressSync(readFileSync(packed)));
  chmodSync(`${out}.tmp`, 0o755);
  renameSync(`${out}.tmp`, out);
  return out;
}
