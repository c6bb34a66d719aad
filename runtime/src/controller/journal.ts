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
//   - a trim rewrites the entry with gen + 1, keeping only entries that differ from the mirror.
// Pure functions here; the I/O is in the Journal class and EipRecord.
import type { KubeConfig } from '@kubernetes/client-node';
import type { EipObject } from '../allocator';
import { isNotFound } from '../kube/client';
import { METADATA_ONLY, restCall } from '../kube/rest';
import { FIELD_MANAGER, JOURNAL_CONFIGMAP, LABELS } from '../ops/names';
import { Limiter } from './limiter';

export interface JournalEntry {
  /** The Eip's uid: an Eip deleted and created again under the same name starts afresh. */
  uid?: string;
  gen: number;
  /** Address → holders joined by ";" ("" when the address was freed). */
  set: Record<string, string>;
}

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

/** The journal ConfigMap: its entries as last read or written, and resourceVersion-checked writes. */
export class Journal {
  entries: Entries = new Map();
  /** Counts reads: state planned from the entries before a read may miss what it brought. */
  epoch = 0;
  private rv: string | undefined;
  /** Reads and writes go one at a time: each write carries the resourceVersion the previous one returned. */
  private readonly turn = new Limiter(1);

  constructor(private readonly kc: KubeConfig, private readonly namespace: string) {}

  private get path(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps`;
  }

  /** Reads the journal (absent: empty), in turn with the writes. */
  load(): Promise<void> {
    return this.turn.run(() => this.loadNow());
  }

  private async loadNow(): Promise<void> {
    this.epoch++;
    try {
      const cm = await restCall(this.kc, 'GET', `${this.path}/${JOURNAL_CONFIGMAP}`) as { metadata: { resourceVersion: string }; data?: Record<string, string> };
      this.rv = cm.metadata.resourceVersion;
      this.entries = parseEntries(cm.data ?? {});
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.rv = undefined;
      this.entries = new Map();
    }
  }

  /**
   * One write: `change` gets a copy of the entries and edits it (returning false when there is
   * nothing to write). A conflict (someone else wrote the journal) or a 404/409 on create
   * rejects; the caller re-reads (load) and decides again.
   */
  write(change: (entries: Entries) => boolean): Promise<void> {
    return this.turn.run(() => this.writeNow(change));
  }

  private async writeNow(change: (entries: Entries) => boolean): Promise<void> {
    const next: Entries = new Map(this.entries);
    if (!change(next)) return;
    const data: Record<string, string> = {};
    for (const [eip, entry] of next) data[eip] = JSON.stringify(entry);
    const metadata = { name: JOURNAL_CONFIGMAP, namespace: this.namespace, labels: LABELS, ...(this.rv ? { resourceVersion: this.rv } : {}) };
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
    const query = { fieldManager: FIELD_MANAGER };
    const got = this.rv
      ? await restCall(this.kc, 'PUT', `${this.path}/${JOURNAL_CONFIGMAP}`, { body, query, accept: METADATA_ONLY })
      : await restCall(this.kc, 'POST', this.path, { body, query, accept: METADATA_ONLY });
    this.rv = (got as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    this.entries = next;
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
