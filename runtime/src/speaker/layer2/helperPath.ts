// Where the compiled openelb-packet-helper lives (built by runtime/native/build.sh).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HELPER_NAME = 'openelb-packet-helper';

export function cacheDir(): string {
  return process.env.OPENELB_CACHE || join(homedir(), '.cache', 'openelb-toolkit');
}

/**
 * Order: $OPENELB_PACKET_HELPER, next to the running script (dist/ install),
 * then the build cache. Throws with the build command when none exists.
 */
export function findPacketHelper(): string {
  const candidates = [
    process.env.OPENELB_PACKET_HELPER,
    process.argv[1] ? join(dirname(process.argv[1]), HELPER_NAME) : undefined,
    join(cacheDir(), 'bin', HELPER_NAME),
  ].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  throw new Error(`${HELPER_NAME} not found (looked in ${candidates.join(', ')}); build it with runtime/native/build.sh`);
}
