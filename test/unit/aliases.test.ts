// YAML aliases: the rules see the anchored value (`address: *bad` is checked as what `&bad`
// holds), report at the alias and name the anchor; aliases are never expanded, so cycles and
// alias bombs cost one node each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAlias, isMap, isScalar, toPlain } from '@openelb/core/model/ast';
import { parseDocuments } from '@openelb/core/model/documents';
import { getNode, getString } from '@openelb/core/model/resource';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { LineIndex } from '@openelb/core/model/lineIndex';

const URI = 'file:///aliases.yaml';
const HEAD = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\n';

function check(text: string) {
  const lines = new LineIndex(text);
  return new OpenElbLanguageService().validate(URI, text).map((d) => ({
    code: String(d.code), message: d.message, text: text.slice(lines.offset(d.range.start), lines.offset(d.range.end)), diag: d,
  }));
}

test('address: *bad with &bad on a reversed range is reported at the alias, naming the anchor', () => {
  const text = `${HEAD}metadata:\n  name: a\n  annotations:\n    note: &bad 10.0.0.9-10.0.0.1\nspec:\n  address: *bad\n  protocol: bgp\n`;
  const found = check(text).filter((p) => p.code === 'eip-address-range-reversed');
  assert.equal(found.length, 1);
  assert.equal(found[0].text, '*bad');
  assert.match(found[0].message, /the range is reversed: 10\.0\.0\.1 comes before 10\.0\.0\.9.*the anchor &bad, which the alias \*bad repeats here/);
  // The fix rewrites the anchored value, which every alias of it repeats.
  const actions = new OpenElbLanguageService().codeActions(URI, text, found[0].diag.range);
  const edit = actions.find((a) => a.title === 'Swap to 10.0.0.1-10.0.0.9')!.edit!.changes![URI][0];
  const lines = new LineIndex(text);
  assert.equal(text.slice(lines.offset(edit.range.start), lines.offset(edit.range.end)), '10.0.0.9-10.0.0.1');
  assert.equal(edit.range.start.line, 5);
});

test('aliases of quoted and syntax-error values, and of an interface', () => {
  const text = `${HEAD}metadata:\n  name: a\n  annotations:\n    x: &addr "10.0.0.300"\n    y: &nic "can_reach:nope"\nspec:\n  address: *addr\n  protocol: layer2\n  interface: *nic\n`;
  const got = check(text).map((p) => [p.code, p.text]);
  assert.deepEqual(got.filter(([c]) => c.startsWith('eip-')), [['eip-address-syntax', '*addr'], ['eip-interface-can-reach', '*nic']]);
});

test('overlap and default through aliases: the Eip facts read the anchored values', () => {
  const a = `${HEAD}metadata:\n  name: a\n  annotations:\n    eip.openelb.kubesphere.io/is-default-eip: &yes "true"\n    r: &range 10.0.0.0/24\nspec:\n  address: *range\n  protocol: bgp\n`;
  const b = `${HEAD}metadata:\n  name: b\n  annotations:\n    eip.openelb.kubesphere.io/is-default-eip: "true"\nspec:\n  address: 10.0.0.128/25\n  protocol: bgp\n`;
  const got = check(`${a}---\n${b}`).filter((p) => p.code === 'eip-overlap' || p.code === 'eip-default-multiple');
  assert.deepEqual(got.map((p) => [p.code, p.text]), [
    ['eip-overlap', '*range'], ['eip-overlap', '10.0.0.128/25'], ['eip-default-multiple', '"true"'], ['eip-default-multiple', '"true"'],
  ]);
});

test('a mapping alias is looked through by the tree helpers; a cycle cannot loop them', () => {
  const [d] = parseDocuments('base: &b\n  address: 10.0.0.1\n  self: *b\nspec: *b\n');
  const root = d.doc.contents;
  assert.ok(isMap(root));
  assert.equal(getString(root, ['spec', 'address']), '10.0.0.1');
  assert.equal(getString(root, ['spec', 'self', 'self', 'self', 'address']), '10.0.0.1');
  assert.ok(isAlias(root.pairs[1].value), 'kept as written');
  assert.deepEqual(toPlain(root), { base: { address: '10.0.0.1', self: { source: 'b' } }, spec: { source: 'b' } });
});

test('an alias bomb stays small: nine levels of ten aliases are 90 nodes, not 10^9', () => {
  const lines = ['a0: &a0 "lol"'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  const [d] = parseDocuments(lines.join('\n') + '\n');
  let nodes = 0;
  const count = (n: unknown): void => {
    nodes++;
    if (isMap(n)) n.pairs.forEach((p) => { count(p.key); count(p.value); });
    else if (n && typeof n === 'object' && 'items' in n) (n as { items: unknown[] }).items.forEach(count);
  };
  count(d.doc.contents);
  assert.ok(nodes < 200, `${nodes} nodes`);
  const a1 = getNode(d.doc.contents, ['a1']);
  assert.ok(a1 && 'items' in a1 && isScalar(a1.items[0]) && a1.items[0].value === 'lol', 'a scalar alias carries its value');
  // The service checks such a file without expanding it.
  const text = `${HEAD}metadata:\n  name: bomb\n  annotations:\n${lines.map((l) => `    ${l.replace(/: /, ': ')}`).join('\n')}\nspec:\n  address: 10.0.0.1\n  protocol: bgp\n`;
  assert.ok(check(text).length < 50);
});
