// `openelb strictarp`'s text edit keeps every line's own ending: a config.conf with mixed LF
// and CRLF lines (hand-edited on two systems) changes in the strictARP line only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setStrictArp, verifyStrictArpEdit } from '../../runtime/src/ops/strictArpText';

/** Joins lines, line i ending with endings[i % endings.length]. */
const withEndings = (lines: string[], endings: string[]): string => lines.map((l, i) => l + endings[i % endings.length]).join('');

const CONFIG = ['apiVersion: kubeproxy.config.k8s.io/v1alpha1', 'ipvs:', '  scheduler: ""', '  strictARP: false', '  syncPeriod: 30s', 'kind: KubeProxyConfiguration', 'mode: ipvs'];

test('an existing strictARP line changes its value only; every line keeps its ending', () => {
  for (const endings of [['\n'], ['\r\n'], ['\r\n', '\n'], ['\n', '\r\n', '\r\n'], ['\n', '\n', '\n', '\r\n']]) {
    const before = withEndings(CONFIG, endings);
    const after = setStrictArp(before);
    assert.equal(after, withEndings(CONFIG.map((l) => l.replace('strictARP: false', 'strictARP: true')), endings), JSON.stringify(endings));
    verifyStrictArpEdit(before, after);
  }
});

test('an inserted strictARP line ends like the line above it; the others are untouched', () => {
  const noKey = CONFIG.filter((l) => !l.includes('strictARP'));
  // ipvs: LF, scheduler: CRLF, so the new line (after scheduler) is CRLF; syncPeriod keeps LF.
  const before = withEndings(noKey, ['\n', '\n', '\r\n', '\n']);
  assert.equal(setStrictArp(before), [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1\n', 'ipvs:\n', '  scheduler: ""\r\n', '  strictARP: true\r\n',
    '  syncPeriod: 30s\n', 'kind: KubeProxyConfiguration\n', 'mode: ipvs\n',
  ].join(''));
});

test('a new ipvs section and a rewritten "ipvs: {}" keep the surrounding endings', () => {
  assert.equal(setStrictArp('clusterCIDR: ""\r\nmode: ipvs\n'), 'clusterCIDR: ""\r\nipvs:\r\n  strictARP: true\r\nmode: ipvs\n');
  assert.equal(setStrictArp('mode: ipvs\r\nipvs: {}\n'), 'mode: ipvs\r\nipvs:\n  strictARP: true\n');
  // No final newline: the last line gets the document's ending, the new last line none.
  assert.equal(setStrictArp('apiVersion: v1\r\nbindAddress: 0.0.0.0'), 'apiVersion: v1\r\nbindAddress: 0.0.0.0\r\nipvs:\r\n  strictARP: true');
  assert.equal(setStrictArp('mode: ipvs\r\nipvs: {}'), 'mode: ipvs\r\nipvs:\r\n  strictARP: true');
  assert.equal(setStrictArp('mode: ipvs'), 'ipvs:\n  strictARP: true\nmode: ipvs');
});
