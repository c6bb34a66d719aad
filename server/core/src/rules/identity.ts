// What a document is and how it is named: apiVersion and kind of our group, metadata.name,
// annotation and label values, and a hand-written status block.
import { GROUP, KINDS, VERSIONS } from '../api/types';
import { isMap, isScalar } from '../model/ast';
import { closest, getNode, getPair, nodeRange, type Resource } from '../model/resource';
import type { Rule, RuleContext } from './context';
import { isOpenElbService } from './service';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkApiVersion(res: Resource, ctx: RuleContext): void {
  const o = res.openelb!;
  const avPair = getPair(res.root, 'apiVersion');
  const r = nodeRange(res, avPair?.value) ?? nodeRange(res, getPair(res.root, 'kind')?.value) ?? [res.offset, res.offset];
  const accepted = VERSIONS.map((v) => `${GROUP}/${v}`);
  if (!avPair) {
    ctx.report({ code: 'schema-api-version', severity: 'error', start: r[0], end: r[1], path: 'apiVersion',
      message: `apiVersion is missing; ${res.kind} is served as ${accepted.join(' and ')}` });
  } else if (o.group !== GROUP || !o.version) {
    const fix = `${GROUP}/${o.version ?? 'v1alpha2'}`;
    ctx.report({ code: 'schema-api-version', severity: 'error', start: r[0], end: r[1], path: 'apiVersion',
      fixes: [{ title: `Change to ${fix}`, edits: [{ start: r[0], end: r[1], newText: fix }], preferred: true }],
      message: `unknown apiVersion '${res.apiVersion}' for ${res.kind ?? 'this kind'}; ${GROUP} serves ${VERSIONS.join(' and ')} (${accepted.join(', ')})` });
  }
  if (!o.kind) {
    const kr = nodeRange(res, getPair(res.root, 'kind')?.value) ?? r;
    const guess = closest(res.kind ?? '', KINDS);
    ctx.report({ code: 'schema-kind', severity: 'error', start: kr[0], end: kr[1], path: 'kind',
      fixes: guess ? [{ title: `Change to ${guess}`, edits: [{ start: kr[0], end: kr[1], newText: guess }], preferred: true }] : [],
      message: `${res.kind === undefined ? 'kind is missing' : `unknown kind '${res.kind}'`} in ${GROUP}${guess ? `; did you mean '${guess}'?` : ''} Kinds: ${KINDS.join(', ')}` });
  }
}

function checkMetadata(res: Resource, ctx: RuleContext): void {
  const meta = getPair(res.root, 'metadata');
  const anchor = nodeRange(res, meta?.key ?? getPair(res.root, 'kind')?.key) ?? [res.offset, res.offset];
  const nameNode = getNode(res.root, ['metadata', 'name']);
  const generate = getNode(res.root, ['metadata', 'generateName']);
  if (!nameNode && !generate) {
    ctx.report({ code: 'k8s-metadata-name', severity: 'error', start: anchor[0], end: anchor[1], path: 'metadata.name',
      message: 'metadata.name is missing; every object needs a name (lowercase letters, digits, - and .)' });
  } else if (isScalar(nameNode) && res.openelb) {
    const name = String(nameNode.value ?? '');
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      const r = nodeRange(res, nameNode) ?? anchor;
      ctx.report({ code: 'k8s-metadata-name', severity: 'error', start: r[0], end: r[1], path: 'metadata.name',
        message: `'${name}' is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (at most 253)` });
    }
  }
  for (const field of ['annotations', 'labels']) {
    const map = getNode(res.root, ['metadata', field]);
    if (!isMap(map)) continue;
    for (const pair of map.pairs) {
      const v = pair.value;
      if (isScalar(v) && typeof v.value !== 'string' && v.value !== null) {
        const r = nodeRange(res, v) ?? anchor;
        // (A key that is not a scalar reads 'undefined', as it always has.)
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        ctx.report({ code: 'k8s-annotation-type', severity: 'error', start: r[0], end: r[1], path: `metadata.${field}.${String(key)}`,
          fixes: [{ title: `Quote as "${String(v.value)}"`, edits: [{ start: r[0], end: r[1], newText: `"${String(v.value)}"` }], preferred: true }],
          message: `${field} values must be strings; ${String(v.value)} is a ${typeof v.value}: write "${String(v.value)}"` });
      }
    }
  }
}

function checkStatus(res: Resource, ctx: RuleContext): void {
  const status = getPair(res.root, 'status');
  if (!status) return;
  const r = nodeRange(res, status.key);
  if (!r) return;
  // Remove the whole block: from the start of the `status:` line to the end of its value
  // (with the comments and blank lines the value owns).
  const lineStart = ctx.text.lastIndexOf('\n', r[0] - 1) + 1;
  const valueEnd = status.value?.nodeEnd;
  let end = valueEnd !== undefined ? res.offset + valueEnd : r[1];
  if (ctx.text[end - 1] !== '\n') { const nl = ctx.text.indexOf('\n', end); end = nl < 0 ? ctx.text.length : nl + 1; }
  ctx.report({ code: 'status-ignored', severity: 'information', start: r[0], end: r[1], path: 'status', unnecessary: true,
    fixes: [{ title: 'Remove the status block', edits: [{ start: lineStart, end, newText: '' }] }],
    message: `status is written by the OpenELB controller, not by you: kubectl apply ignores it here and the controller overwrites it` });
}

export const identityRule: Rule = {
  local: true,
  ids: ['schema-api-version', 'schema-kind', 'k8s-metadata-name', 'k8s-annotation-type', 'status-ignored'],
  checkResource(res, ctx) {
    if (res.openelb) {
      checkApiVersion(res, ctx);
      checkMetadata(res, ctx);
      checkStatus(res, ctx);
    } else if (isOpenElbService(res)) {
      checkMetadata(res, ctx);
    }
  },
};
