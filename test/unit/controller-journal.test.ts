// The allocation journal's rules (runtime/src/controller/journal.ts): when entries apply on top
// of an Eip's status.used, and what a trim keeps. The writes themselves are exercised against
// the real API server in test/cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EipObject } from '../../runtime/src/allocator';
import { entryApplies, journalGenOf, trimmedEntry, withJournal, type JournalEntry } from '../../runtime/src/controller/journal';

const eip = (used: Record<string, string>, journalGen?: number, uid = 'u1'): EipObject => ({
  apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name: 'p', uid },
  spec: { address: '10.0.0.0/24' }, status: { used, ...(journalGen === undefined ? {} : { journalGen }) },
});

test('journal: entries apply at the Eip\'s generation and the one before, for the same uid only', () => {
  const entry: JournalEntry = { uid: 'u1', gen: 3, set: { '10.0.0.2': 'x/b', '10.0.0.1': '' } };
  assert.equal(journalGenOf(eip({})), 0);
  assert.equal(journalGenOf(eip({}, 4)), 4);
  assert.equal(entryApplies(entry, eip({}, 3)), true, 'nothing mirrored since');
  assert.equal(entryApplies(entry, eip({}, 4)), true, 'mirrored, not trimmed yet');
  assert.equal(entryApplies(entry, eip({}, 2)), false, 'an Eip older than the entry');
  assert.equal(entryApplies(entry, eip({}, 5)), false, 'an entry two mirrors old');
  assert.equal(entryApplies(entry, eip({}, 3, 'u2')), false, 'an Eip created again under the name');
});

test('journal: the record is status.used with the entries on top ("" frees an address)', () => {
  const entry: JournalEntry = { uid: 'u1', gen: 0, set: { '10.0.0.2': 'x/b', '10.0.0.1': '' } };
  const base = eip({ '10.0.0.1': 'x/a', '10.0.0.3': 'x/c' });
  assert.deepEqual(withJournal(base, entry).status?.used, { '10.0.0.2': 'x/b', '10.0.0.3': 'x/c' });
  assert.deepEqual(base.status?.used, { '10.0.0.1': 'x/a', '10.0.0.3': 'x/c' }, 'the Eip object is not changed');
  assert.equal(withJournal(base, undefined), base);
  assert.equal(withJournal(eip({}, 7), entry).status?.used?.['10.0.0.2'], undefined, 'a stale entry is not applied');
});

test('journal: a mirror then a trim leaves only what changed after the mirror was computed', () => {
  // The mirror took in 10.0.0.2 → x/b and the release of 10.0.0.1; meanwhile 10.0.0.4 was
  // claimed and 10.0.0.2 changed hands again.
  const entry: JournalEntry = { uid: 'u1', gen: 5, set: { '10.0.0.1': '', '10.0.0.2': 'x/z', '10.0.0.4': 'x/d' } };
  const mirrored = { '10.0.0.2': 'x/b', '10.0.0.3': 'x/c' };
  assert.deepEqual(trimmedEntry(entry, mirrored), { uid: 'u1', gen: 6, set: { '10.0.0.2': 'x/z', '10.0.0.4': 'x/d' } });
  // The trimmed entry on top of the mirrored Eip is the same record as before the trim.
  const before = withJournal(eip(mirrored, 6), entry).status?.used;
  const after = withJournal(eip(mirrored, 6), trimmedEntry(entry, mirrored)).status?.used;
  assert.deepEqual(after, before);
  assert.equal(trimmedEntry({ gen: 1, set: { '10.0.0.1': '' } }, {}), undefined, 'nothing left: the entry goes');
});
