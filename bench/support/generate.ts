// Deterministic benchmark input: a file of N Eip documents (v1alpha2), mostly valid, with a
// known sprinkling of mistakes. Each mistake is recorded with its line so the bench can check
// that both language servers see what they should:
//   - "schema" mistakes are visible to any JSON-Schema validator (yaml-language-server too);
//   - "semantic" mistakes need OpenELB knowledge (address grammar, overlaps, protocol rules).
import { formatIp } from '@openelb/core/address/ip';

export type MistakeKind =
  | 'type' | 'enum' | 'unknown-field' | 'required' // schema
  | 'reversed-range' | 'overlap' | 'layer2-no-interface' | 'bad-octet'; // semantic

export const SCHEMA_KINDS: readonly MistakeKind[] = ['type', 'enum', 'unknown-field', 'required'];

export interface Mistake {
  kind: MistakeKind;
  category: 'schema' | 'semantic';
  /** 0-based document index in the file. */
  doc: number;
  /** 0-based line in the file where the mistake sits. */
  line: number;
}

export interface Generated {
  text: string;
  documents: number;
  mistakes: Mistake[];
  /** Line range [first, last] of each document, to map a diagnostic back to its document. */
  docLines: [number, number][];
}

/** Every Eip owns a disjoint block of 16 IPv4 addresses starting at 10.0.0.0 + 16*i. */
const BLOCK = 16;
const BASE_V4 = (10n << 24n);
const v4 = (offset: number) => formatIp(4, BASE_V4 + BigInt(offset));
const v6Block = (i: number) => `fd00:0:0:${(i & 0xffff).toString(16)}::/124`;

/** One mistake every PERIOD documents, cycling through the kinds below (position 7 in each period). */
const PERIOD = 12;
const CYCLE: MistakeKind[] = ['type', 'reversed-range', 'enum', 'overlap', 'unknown-field', 'layer2-no-interface', 'required', 'bad-octet'];

const SEMANTIC = new Set<MistakeKind>(['reversed-range', 'overlap', 'layer2-no-interface', 'bad-octet']);

/** The mistake document `i` carries, if any. Document 0 is always clean (overlaps point back). */
export function mistakeFor(i: number): MistakeKind | undefined {
  if (i % PERIOD !== 7) return undefined;
  return CYCLE[Math.floor(i / PERIOD) % CYCLE.length];
}

/** The middle document of a file, written as a plain range so keystrokes can edit it (see keystrokes.ts). */
export const middleDoc = (n: number) => Math.floor(n / 2);

/** Lines of one document (without the leading `---`); `marks` collects mistakes by line offset. */
function eipLines(i: number, n: number, marks: { kind: MistakeKind; at: number }[]): string[] {
  const first = i * BLOCK;
  const name = `eip-${String(i).padStart(5, '0')}`;
  const mistake = mistakeFor(i);
  const lines = ['apiVersion: network.kubesphere.io/v1alpha2', 'kind: Eip', 'metadata:', `  name: ${name}`];
  const form = i % 4;
  let address: string;
  if (i === middleDoc(n)) address = `${v4(first)}-${v4(first + 15)}`;
  else if (form === 0) address = `${v4(first)}/28`;
  else if (form === 1) address = `${v4(first + 2)}-${v4(first + 11)}`;
  else if (form === 2) address = v4(first + 5);
  else address = i % 8 === 3 ? v6Block(i) : `${v4(first)}/29`;
  let protocol = i % 3 === 0 ? 'layer2' : 'bgp';
  let withInterface = protocol === 'layer2';
  if (i % 10 === 0) lines.push('  annotations:', `    bench/generated: "yes"`);
  lines.push('spec:');
  const mark = (kind: MistakeKind) => marks.push({ kind, at: lines.length });
  switch (mistake) {
    case 'reversed-range': mark(mistake); address = `${v4(first + 11)}-${v4(first + 2)}`; break;
    case 'overlap': // the previous Eip's whole block, in its family
      mark(mistake);
      address = (i - 1) % 8 === 3 && i - 1 !== middleDoc(n) ? v6Block(i - 1) : `${v4(first - BLOCK)}/28`;
      break;
    case 'bad-octet': mark(mistake); address = `10.0.999.${i % 200}`; break;
    case 'layer2-no-interface': protocol = 'layer2'; withInterface = false; break;
    default: break;
  }
  if (mistake === 'required') mark(mistake); // reported on the `spec` key
  else lines.push(`  address: ${address}`);
  if (mistake === 'enum') { mark(mistake); lines.push('  protocol: bgpp'); }
  else {
    if (mistake === 'layer2-no-interface') mark(mistake);
    lines.push(`  protocol: ${protocol}`);
  }
  if (withInterface) lines.push(i % 2 ? '  interface: eth0' : '  interface: can_reach:192.168.0.1');
  if (mistake === 'type') { mark(mistake); lines.push('  priority: high'); }
  else if (i % 5 === 1) lines.push(`  priority: ${i % 100}`);
  if (mistake === 'unknown-field') { mark(mistake); lines.push('  autoAssign: true'); }
  if (i % 7 === 2) lines.push('  namespaces:', '    - default', `    - team-${i % 13}`);
  if (i % 11 === 4) lines.push('  disable: false');
  return lines;
}

export function generateEips(n: number): Generated {
  const out: string[] = [];
  const mistakes: Mistake[] = [];
  const docLines: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    out.push('---');
    const start = out.length; // line of the document's first key
    const marks: { kind: MistakeKind; at: number }[] = [];
    const lines = eipLines(i, n, marks);
    docLines.push([start - 1, start + lines.length - 1]);
    for (const m of marks) {
      mistakes.push({ kind: m.kind, category: SEMANTIC.has(m.kind) ? 'semantic' : 'schema', doc: i, line: start + m.at - (m.kind === 'required' ? 1 : 0) });
      // An overlap is seen from both sides: the previous document's address line too.
      if (m.kind === 'overlap') {
        const prev = docLines[i - 1];
        mistakes.push({ kind: 'overlap', category: 'semantic', doc: i - 1, line: addressLine(out, prev) });
      }
    }
    out.push(...lines);
  }
  return { text: out.join('\n') + '\n', documents: n, mistakes, docLines };
}

function addressLine(out: string[], [from, to]: [number, number]): number {
  for (let l = from; l <= to; l++) if (out[l].startsWith('  address:')) return l;
  return from;
}
