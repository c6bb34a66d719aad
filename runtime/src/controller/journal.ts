// The allocation journal: the controller's commit point.
//
// Each Eip's status.used (address → "ns/name;ns/other") is OpenELB's record of who holds which
// address, and users, `openelb status` and the tree view read it there. But it lists every
// address in use, and the API server's work for a write grows with it: committing each batch
// of claims by rewriting status.used cost the API server about 3 ms + 14 µs per listed address,
// so a burst of 1,000 Services paid for ~450 rewrites of a growing map.
//
// So a batch's claims and releases are committed to ONE small ConfigMap (`openelb-journal`, in
// the controller's namespace) with a resourceVersion-checked write: the changes since the last
// mirror, per Eip. The Eip's status.used is brought up to date ("mirrored") a little later in
// larger steps, and the mirrored entries are then trimmed from the journal. The record of an
// Eip is therefore status.used with the journal's entries for it applied on top.
//
// Each step is a resourceVersion-checked write of one object, and these generations keep the
// pair consistent whatever order controllers (or a restarted one) run the steps in:
//   - the Eip's status.journalGen says how many mirrors it has taken in (absent: 0);
//   - a journal entry {uid, gen, set} holds, for every address changed since mirror `gen`, its
//     holders now ("" = free). It applies to the Eip with that uid whose journalGen is gen
//     (nothing mirrored since) or gen + 1 (mirrored, not yet trimmed: the entries are at least
//     as new as what the mirror took in, so applying them again is exact);
//   - a mirror writes used = record and journalGen = gen + 1, only when the entry's gen is the
//     Eip's journalGen; a controller holding an old journal fails the Eip write's precondition
//     or this check, re-reads, and cannot write an old view back over a newer one;
//   - a trim rewrites the entry with gen + 1, keeping only entries that differ from the mirror,
//     and marks the Eip mirrored at gen + 1 (an annotation of the ConfigMap): a controller whose
//     copy of the Eip is older than the entry or the mark (copyIsBehind) would read a record
//     without what the trim moved into status.used, so it reads the Eip again before it commits
//     or mirrors anything.
// Pure functions here; the I/O is in the Journal class and EipRecord.
import type { EipObject } from '../allocator';
import { isNotFound } from '../kube/client';
import { JOURNAL_CONFIGMAP, LABELS } from '../ops/names';
import type { ConfigMapObject, ControllerIo } from './io';
import { Limiter } from './limiter';

export interface JournalEntry {
  /** The Eip's uid: an Eip deleted and created again under the same name starts afresh. */
  uid?: string;
  gen: number;
  /** Address → holders joined by ";" ("" when the address was freed). */
  set: Record<string, string>;
}

/** The newest mirror the journal knows an Eip has taken in (set by trims). */
export interface MirrorMark {
  uid?: string;
  gen: number;
}

/** The ConfigMap annotation holding the marks, {eip: MirrorMark} as JSON. */
export const MARKS_ANNOTATION = 'openelb.kubesphere.io/mirrored';

/** How many mirrors the Eip's status has taken in. */
export function journalGenOf(eip: EipObject): number {
  const g = (eip.status as { journalGen?: unknown } | undefined)?.journalGen;
  return typeof g === 'number' && Number.isInteger(g) && g >= 0 ? g : 0;
}

/** Does the entry belong on top of this Eip's status.used (see the header)? */
export function entryApplies(entry: JournalEntry, eip: EipObject): boolean {
  if (entry.uid && eip.metadata?.uid && entry.uid !== eip.metadata.uid) return false;
  const g = journalGenOf(eip);
  return entry.gen === g || entry.gen === g - 1;
}

/**
 * True when the journal shows the Eip mirrored further than this copy of it says: the copy is
 * old (the watch has not brought the newer one yet) and must be read again before use.
 */
export function copyIsBehind(eip: EipObject, entry: JournalEntry | undefined, mark: MirrorMark | undefined): boolean {
  const g = journalGenOf(eip);
  const same = (uid: string | undefined): boolean => !uid || !eip.metadata?.uid || uid === eip.metadata.uid;
  return (!!entry && same(entry.uid) && entry.gen > g) || (!!mark && same(mark.uid) && mark.gen > g);
}

/** The Eip as the record has it: status.used with the journal entry applied (when it applies). */
export function withJournal(eip: EipObject, entry: JournalEntry | undefined): EipObject {
  if (!entry || !entryApplies(entry, eip)) return eip;
  const used = { ...eip.status?.used };
  for (const [ip, holders] of Object.entries(entry.set)) {
    if (holders) used[ip] = holders;
    else delete used[ip];
  }
  return { ...eip, status: { ...eip.status, used } };
}

/** The entry after a mirror that wrote `mirrored` (status.used at journalGen gen + 1). */
export function trimmedEntry(entry: JournalEntry, mirrored: Record<string, string>): JournalEntry | undefined {
  const set: Record<string, string> = {};
  let n = 0;
  for (const [ip, holders] of Object.entries(entry.set)) {
    if ((mirrored[ip] ?? '') !== holders) { set[ip] = holders; n++; }
  }
  return n ? { uid: entry.uid, gen: entry.gen + 1, set } : undefined;
}

type Entries = Map<string, JournalEntry>;
type Marks = Map<string, MirrorMark>;

/** The journal ConfigMap: its entries as last read or written, and resourceVersion-checked writes. */
export class Journal {
  entries: Entries = new Map();
  marks: Marks = new Map();
  /** The ConfigMap's resourceVersion the entries are (undefined: absent); opaque, compared for equality. */
  private rv: string | undefined;
  /**
   * Changes whenever the record the entries carry may have: a read that found another version,
   * a commit. Trims (the entries move into status.used) leave it: the record stays the same.
   */
  private record = 0;
  /** Reads and writes go one at a time: each write carries the resourceVersion the previous one returned. */
  private readonly turn = new Limiter(1);

  constructor(private readonly io: ControllerIo, private readonly namespace: string) {}

  /** The record's version: a commit planned now passes it to write() as `basis`. */
  get version(): number {
    return this.record;
  }

  /** Disregards what the journal says of an Eip (here; the next write leaves it out too). */
  forget(eip: string): void {
    this.entries.delete(eip);
    this.marks.delete(eip);
  }

  /** Reads the journal (absent: empty), in turn with the writes. */
  load(): Promise<void> {
    return this.turn.run(() => this.loadNow());
  }

  private async loadNow(): Promise<void> {
    let rv: string | undefined;
    let entries: Entries = new Map();
    let marks: Marks = new Map();
    try {
      const cm = await this.io.getConfigMap(this.namespace, JOURNAL_CONFIGMAP);
      rv = cm.metadata.resourceVersion;
      entries = parseEntries(cm.data ?? {});
      marks = parseMarks(cm.metadata.annotations?.[MARKS_ANNOTATION]);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (rv === undefined || rv !== this.rv) this.record++;
    this.rv = rv;
    this.entries = entries;
    this.marks = marks;
  }

  /**
   * One write: `change` gets copies of the entries and marks and edits them (returning false
   * when there is nothing to write; throwing to write nothing and reject). A commit passes `basis`, the record version it planned on: if the record
   * changed since, the commit is refused as a conflict without being sent. A conflict (someone
   * else wrote the journal) or a 404/409 on create rejects; the caller re-reads (load) and
   * decides again.
   */
  write(change: (entries: Entries, marks: Marks) => boolean, basis?: number): Promise<void> {
    return this.turn.run(() => this.writeNow(change, basis));
  }

  private async writeNow(change: (entries: Entries, marks: Marks) => boolean, basis?: number): Promise<void> {
    if (basis !== undefined && basis !== this.record) {
      throw Object.assign(new Error('the allocation record changed since the batch was planned'), { code: 409 });
    }
    const next: Entries = new Map(this.entries);
    const nextMarks: Marks = new Map(this.marks);
    if (!change(next, nextMarks)) return;
    const data: Record<string, string> = {};
    for (const [eip, entry] of next) data[eip] = JSON.stringify(entry);
    const annotations = nextMarks.size ? { [MARKS_ANNOTATION]: JSON.stringify(Object.fromEntries(nextMarks)) } : undefined;
    const metadata = { name: JOURNAL_CONFIGMAP, namespace: this.namespace, labels: LABELS, annotations, ...(this.rv ? { resourceVersion: this.rv } : {}) };
    const cm: ConfigMapObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
    this.rv = (await this.io.writeConfigMap(cm)).metadata.resourceVersion;
    this.entries = next;
    this.marks = nextMarks;
    if (basis !== undefined) this.record++;
  }
}

function parseEntries(data: Record<string, string>): Entries {
  const out: Entries = new Map();
  for (const [eip, text] of Object.entries(data)) {
    try {
      const e = JSON.parse(text) as JournalEntry;
      if (typeof e.gen === 'number' && e.set && typeof e.set === 'object') out.set(eip, { uid: e.uid, gen: e.gen, set: e.set });
    } catch {
      // Not ours to interpret; it is left out of the record (and dropped at the next write).
    }
  }
  return out;
}

function parseMarks(text: string | undefined): Marks {
  const out: Marks = new Map();
  try {
    for (const [eip, m] of Object.entries(JSON.parse(text ?? '{}') as Record<string, MirrorMark>)) {
      if (typeof m?.gen === 'number') out.set(eip, { uid: m.uid, gen: m.gen });
    }
  } catch {
    // Unreadable: dropped, and written again by the next trims.
  }
  return out;
}

/** A conflict saying our copy of an Eip is older than the journal (copyIsBehind): read it again. */
export function copyBehind(eip: string): Error & { code: number; behind: string } {
  return Object.assign(new Error(`our copy of Eip ${eip} is older than the allocation journal`), { code: 409, behind: eip });
}
