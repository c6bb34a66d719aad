// A small unified diff of two texts (line based, LCS), for showing a change before making it.
// Meant for config files of a few hundred lines.

type Op = { tag: ' ' | '-' | '+'; line: string; a: number; b: number };

function diffOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { ops.push({ tag: ' ', line: a[i], a: i++, b: j++ }); }
    // removals before additions, as diff(1) prints them
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) { ops.push({ tag: '-', line: a[i], a: i++, b: j }); }
    else { ops.push({ tag: '+', line: b[j], a: i, b: j++ }); }
  }
  return ops;
}

/** `--- a` / `+++ b` and @@ hunks with `context` lines around each change; '' when equal. */
export function unifiedDiff(before: string, after: string, nameA = 'before', nameB = 'after', context = 3): string {
  if (before === after) return '';
  const split = (t: string): string[] => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  const ops = diffOps(split(before), split(after));
  const changed = ops.map((o, k) => (o.tag !== ' ' ? k : -1)).filter((k) => k >= 0);
  let out = `--- ${nameA}\n+++ ${nameB}\n`;
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length, changed[k] + context + 1);
    // merge changes whose context windows touch
    while (k + 1 < changed.length && changed[k + 1] - context <= end) { k++; end = Math.min(ops.length, changed[k] + context + 1); }
    k++;
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.tag !== '+').length;
    const bLen = hunk.filter((o) => o.tag !== '-').length;
    const aStart = aLen ? hunk[0].a + 1 : hunk[0].a;
    const bStart = bLen ? hunk[0].b + 1 : hunk[0].b;
    out += `@@ -${aStart},${aLen} +${bStart},${bLen} @@\n`;
    out += hunk.map((o) => `${o.tag}${o.line}\n`).join('');
  }
  return out;
}
