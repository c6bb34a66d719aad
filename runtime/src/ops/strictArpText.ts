// Turning on `ipvs.strictARP` in kube-proxy's config.conf as a text edit, so that everything
// else (comments, key order, quoting, blank lines) stays byte for byte as it was. The YAML
// parser is only used to read values and to check the edit meant what we wanted.
import { parse } from 'yaml';

export interface KubeProxySettings {
  /** The proxy mode; '' means the default (iptables on Linux). */
  mode: string;
  /** ipvs.strictARP as parsed (false when absent). */
  strictARP: boolean;
}

type Doc = Record<string, unknown> | null;

function parseDoc(text: string): Doc {
  const v: unknown = parse(text);
  if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) throw new Error('config.conf is not a YAML mapping');
  return (v ?? null) as Doc;
}

export function readKubeProxySettings(text: string): KubeProxySettings {
  const doc = parseDoc(text);
  const mode = doc?.mode;
  const ipvs = doc?.ipvs as Record<string, unknown> | null | undefined;
  return { mode: typeof mode === 'string' ? mode : '', strictARP: ipvs?.strictARP === true };
}

const KEY = /^(\s*)([A-Za-z0-9_."'-]+)\s*:(.*)$/;
const keyName = (k: string): string => k.replace(/^["']|["']$/g, '');

/** The indentation unit of the document (the first indented key), 2 when there is none. */
function indentUnit(lines: string[]): string {
  for (const l of lines) {
    const m = KEY.exec(l);
    if (m && m[1].length > 0 && !l.trimStart().startsWith('#')) return m[1];
  }
  return '  ';
}

/** Index where a new key belongs among sibling key lines (kubeadm writes keys sorted). */
function sortedInsertIndex(lines: string[], siblings: number[], name: string, end: number): number {
  for (const i of siblings) {
    const m = KEY.exec(lines[i]);
    if (m && keyName(m[2]).localeCompare(name, 'en') > 0) {
      // keep comment lines directly above that sibling attached to it
      let j = i;
      while (j > 0 && lines[j - 1].trim().startsWith('#')) j--;
      return j;
    }
  }
  return end;
}

/**
 * The text as lines plus each line's own ending ('\n', '\r\n', or '' for the last), so a file
 * with mixed endings comes back with every untouched line exactly as it was.
 */
function splitLines(text: string): { lines: string[]; ends: string[] } {
  const parts = text.split(/(\r?\n)/);
  return { lines: parts.filter((_, i) => i % 2 === 0), ends: [...parts.filter((_, i) => i % 2 === 1), ''] };
}

const joinLines = (lines: string[], ends: string[]): string => lines.map((l, i) => l + ends[i]).join('');

/** The ending for a new line: `preferred`, else the document's first ending, else '\n'. */
const endingFor = (ends: string[], preferred: string): string => preferred || ends.find((e) => e !== '') || '\n';

/** Inserts `added` before line `at`, ending like the line above them. */
function insertLines(lines: string[], ends: string[], at: number, added: string[]): void {
  const nl = endingFor(ends, at > 0 ? ends[at - 1] : '');
  const newEnds = added.map(() => nl);
  if (at === lines.length) {
    // after a last line without an ending: it gets one, the new last line has none
    ends[at - 1] = nl;
    newEnds[newEnds.length - 1] = '';
  }
  lines.splice(at, 0, ...added);
  ends.splice(at, 0, ...newEnds);
}

/** Replaces line `at` with `added`; the last of them keeps the replaced line's own ending. */
function replaceLine(lines: string[], ends: string[], at: number, added: string[]): void {
  const own = ends[at];
  const nl = endingFor(ends, own);
  lines.splice(at, 1, ...added);
  ends.splice(at, 1, ...added.map((_, k) => (k === added.length - 1 ? own : nl)));
}

/**
 * Returns config.conf with `strictARP: true` under the top-level `ipvs:` key; only that line
 * differs (or is added, with `ipvs:` too when the document has none).
 */
export function setStrictArp(text: string): string {
  const { lines, ends } = splitLines(text);
  const unit = indentUnit(lines);
  const topKeys: number[] = [];
  for (let i = 0; i < lines.length; i++) if (/^[^\s#-]/.test(lines[i]) && KEY.test(lines[i])) topKeys.push(i);
  const ipvsAt = topKeys.find((i) => keyName(KEY.exec(lines[i])![2]) === 'ipvs');

  if (ipvsAt === undefined) {
    // no ipvs section: add one where it sorts among the top-level keys
    const endOfDoc = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
    const at = sortedInsertIndex(lines, topKeys, 'ipvs', endOfDoc);
    insertLines(lines, ends, at, ['ipvs:', `${unit}strictARP: true`]);
    return joinLines(lines, ends);
  }

  const inline = KEY.exec(lines[ipvsAt])![3].replace(/\s+#.*$/, '').trim();
  if (inline !== '' && inline !== '{}' && inline !== 'null' && inline !== '~') {
    throw new Error(`cannot edit "ipvs: ${inline}" in config.conf; write strictARP: true under ipvs by hand`);
  }
  if (inline !== '') {
    // `ipvs: {}` or `ipvs: null`: the section becomes a block holding strictARP
    const comment = /\s+#.*$/.exec(lines[ipvsAt])?.[0] ?? '';
    replaceLine(lines, ends, ipvsAt, [`ipvs:${comment}`, `${unit}strictARP: true`]);
    return joinLines(lines, ends);
  }

  // The block: following lines that are blank, comments or indented.
  let end = ipvsAt + 1;
  while (end < lines.length && (lines[end].trim() === '' || /^\s/.test(lines[end]) || lines[end].startsWith('#'))) end++;
  while (end > ipvsAt + 1 && (lines[end - 1].trim() === '' || lines[end - 1].startsWith('#'))) end--;
  const block = Array.from({ length: end - ipvsAt - 1 }, (_, k) => ipvsAt + 1 + k);
  const childIndent = block.map((i) => KEY.exec(lines[i])).find((m) => m && !m[0].trimStart().startsWith('#'))?.[1] ?? unit;
  const children = block.filter((i) => {
    const m = KEY.exec(lines[i]);
    return m && m[1] === childIndent && !lines[i].trimStart().startsWith('#');
  });
  const existing = children.find((i) => keyName(KEY.exec(lines[i])![2]) === 'strictARP');
  if (existing !== undefined) {
    // replace only the value, keeping the key's spelling, spacing and any trailing comment
    const m = /^(\s*["']?strictARP["']?\s*:\s*)([^#\s][^#]*?|)(\s*(#.*)?)$/.exec(lines[existing]);
    if (!m) throw new Error(`cannot read the strictARP line in config.conf: ${lines[existing].trim()}`);
    lines[existing] = `${m[1]}${m[1].endsWith(':') ? ' ' : ''}true${m[3]}`;
    return joinLines(lines, ends);
  }
  const at = sortedInsertIndex(lines, children, 'strictARP', end);
  insertLines(lines, ends, at, [`${childIndent}strictARP: true`]);
  return joinLines(lines, ends);
}

/** Checks that `after` equals `before` except for ipvs.strictARP, which is true. */
export function verifyStrictArpEdit(before: string, after: string): void {
  const a = parseDoc(before) ?? {};
  const b = parseDoc(after) ?? {};
  const ipvsB = b.ipvs as Record<string, unknown> | undefined;
  if (ipvsB?.strictARP !== true) throw new Error('internal error: the edited config.conf does not set ipvs.strictARP to true');
  const same = JSON.stringify(stripArp(a)) === JSON.stringify(stripArp(b));
  if (!same) throw new Error('internal error: editing strictARP changed other settings of config.conf');
}

function stripArp(d: Record<string, unknown>): unknown {
  const ipvs = { ...(d.ipvs ?? {}) as Record<string, unknown> };
  delete ipvs.strictARP;
  const rest = { ...d };
  if (Object.keys(ipvs).length) rest.ipvs = ipvs; else delete rest.ipvs;
  return sortDeep(rest);
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
  return v;
}
