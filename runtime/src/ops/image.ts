// Container image references (`[registry[:port]/]path[:tag][@digest]`), checked before anything
// is sent, so a typo fails with a message instead of pods stuck in ImagePullBackOff. The one
// check behind `openelb deploy --image`, the extension's `openelb.runtimeImage` and deploy().
import { OpsError } from './opsError';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGESTS: Record<string, number> = { sha256: 64, sha512: 128 };
const FORM = 'expected NAME[:TAG][@sha256:<64 hex digits>], e.g. node:24-bookworm-slim';

function digestProblem(digest: string): string | undefined {
  const [algorithm, hex = ''] = digest.split(':', 2);
  const length = DIGESTS[algorithm];
  if (!length) return `digest "${digest}" must start with sha256: (or sha512:)`;
  if (!new RegExp(`^[0-9a-f]{${length}}$`).test(hex)) return `digest "${digest}" must be ${algorithm}: followed by ${length} lowercase hex digits (got ${hex.length})`;
  return undefined;
}

function registryProblem(registry: string): string | undefined {
  const [host, port] = registry.split(':', 2);
  if (port !== undefined && !/^[0-9]{1,5}$/.test(port)) return `registry port "${port}" is not a number`;
  if (host.startsWith('[') && host.endsWith(']')) return undefined; // IPv6 literal
  if (!host.split('.').every((l) => HOST_LABEL.test(l))) return `registry "${registry}" is not a host name`;
  return undefined;
}

/** The first component is a registry when it looks like a host (Docker's rule). */
const isRegistry = (c: string): boolean => c.includes('.') || c.includes(':') || c === 'localhost' || c !== c.toLowerCase();

function nameProblem(name: string): string | undefined {
  if (!name) return 'the repository name is empty';
  if (name.length > 255) return `the repository name is ${name.length} characters long (at most 255)`;
  const parts = name.split('/');
  if (parts.length > 1 && isRegistry(parts[0])) {
    const bad = registryProblem(parts.shift()!);
    if (bad) return bad;
  }
  const badPart = parts.find((c) => !PATH_COMPONENT.test(c));
  if (badPart !== undefined) {
    return `repository path component "${badPart}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`;
  }
  return undefined;
}

/** Why `ref` is not a valid image reference, or undefined when it is. */
export function imageProblem(ref: string): string | undefined {
  if (ref.trim() === '') return 'the image is empty';
  if (/\s/.test(ref)) return 'the image contains whitespace';
  const at = ref.indexOf('@');
  const named = at < 0 ? ref : ref.slice(0, at);
  if (at >= 0) {
    const bad = digestProblem(ref.slice(at + 1));
    if (bad) return bad;
  }
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  if (hasTag && !TAG.test(named.slice(colon + 1))) {
    return `tag "${named.slice(colon + 1)}" must be 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"`;
  }
  return nameProblem(hasTag ? named.slice(0, colon) : named);
}

/** Throws an OpsError naming the problem and the accepted form; returns `ref` when valid. */
export function checkImage(ref: string): string {
  const problem = imageProblem(ref);
  if (problem) throw new OpsError(`invalid image "${ref}": ${problem}; ${FORM}`);
  return ref;
}
