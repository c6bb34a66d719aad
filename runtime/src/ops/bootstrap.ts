// The pods' bootstrap: the few lines of JavaScript that check and start the runtime. It travels
// in the pod spec itself (`node -e BOOTSTRAP /opt/openelb/openelb.js ARGS`), not in the runtime
// ConfigMap, because whoever can write that ConfigMap must not also be able to rewrite the check.
// Before anything from the ConfigMap is loaded or executed it compares the SHA-256 of the stored
// (brotli) bytes of the bundle, and of this CPU's packet helper when the pod unpacks one, with the
// digests deploy put into the pod spec's environment; on a mismatch it refuses to start.
// Each file is read once and the bytes checked are the bytes used: the kubelet may swap the
// ConfigMap volume's contents at any time, so nothing is read again after the check.
import { createHash } from 'node:crypto';
import { HELPER_DIR_ENV, HELPER_NAME, type HelperArch } from '../speaker/layer2/helperPath';
import { BUNDLE_NAME, NAMESPACE, RUNTIME_CONFIGMAP } from './names';

/** The bundle's stored bytes (openelb.js.br) must have this SHA-256 (hex). */
export const BUNDLE_DIGEST_ENV = 'OPENELB_BUNDLE_SHA256';
/** The helper of an architecture (openelb-packet-helper-amd64.br) must have this SHA-256. */
export const helperDigestEnv = (arch: HelperArch): string => `OPENELB_HELPER_SHA256_${arch.toUpperCase()}`;
/** Exit status of a refused start (sysexits EX_CONFIG): the pod spec and the ConfigMap disagree. */
export const REFUSED_EXIT = 78;

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

// Plain ES2020, no `$(`: Kubernetes expands $(VAR) in a container command.
export const BOOTSTRAP = String.raw`'use strict';
// OpenELB bootstrap (written into the pod spec by openelb deploy): checks, then runs, the runtime.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const Module = require('node:module');
const { createHash } = require('node:crypto');
const dir = path.dirname(path.resolve(process.argv[1]));
const cm = '${NAMESPACE}/${RUNTIME_CONFIGMAP}';
function refuse(why) {
  process.stderr.write('openelb: refusing to start: ' + why + '\n');
  process.exit(${REFUSED_EXIT});
}
function verified(name, env) {
  const want = process.env[env] || '';
  if (!/^[0-9a-f]{64}$/.test(want)) refuse('the pod spec has no SHA-256 for ' + name + ' (' + env + '); redeploy with openelb deploy');
  const bytes = fs.readFileSync(path.join(dir, name));
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== want) {
    refuse(name + ' in ConfigMap ' + cm + ' has SHA-256 ' + got + ' but this pod expects ' + want +
      ' (' + env + '): the ConfigMap was changed after openelb deploy wrote it. Find out who changed it, then run openelb deploy again.');
  }
  return bytes;
}
const bundle = verified('${BUNDLE_NAME}.br', '${BUNDLE_DIGEST_ENV}');
const helperDir = process.env.${HELPER_DIR_ENV};
const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
const helperName = '${HELPER_NAME}-' + arch;
if (helperDir && arch && fs.existsSync(path.join(dir, helperName + '.br'))) {
  const packed = verified(helperName + '.br', 'OPENELB_HELPER_SHA256_' + arch.toUpperCase());
  const out = path.join(helperDir, helperName);
  // The speaker runs only this checked copy: it must not unpack the ConfigMap's file again.
  delete process.env.${HELPER_DIR_ENV};
  try {
    fs.writeFileSync(out + '.tmp', zlib.brotliDecompressSync(packed));
    fs.chmodSync(out + '.tmp', 0o755);
    fs.renameSync(out + '.tmp', out);
    process.env.OPENELB_PACKET_HELPER = out;
    process.stderr.write('openelb: packet helper checked (SHA-256) and unpacked to ' + out + '\n');
  } catch (e) {
    process.stderr.write('openelb: cannot unpack the packet helper to ' + out + ': ' + e.message + '\n');
  }
}
const file = path.join(dir, 'openelb-bundle.js');
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(dir);
m._compile(zlib.brotliDecompressSync(bundle).toString('utf8'), file);
`;
