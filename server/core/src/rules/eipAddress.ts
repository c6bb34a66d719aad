// Eip address grammar: single IP, range or CIDR, as OpenELB parses it; exact ranges inside the value.
import { formatIp } from '../address/ip';
import { parsePoolCached } from '../address/pool';
import { isScalar } from '../model/ast';
import type { Fix } from '../model/problem';
import { getNode, scalarSourceRange, scalarTextRange, viaAnchor } from '../model/resource';
import type { Rule } from './context';

export const eipAddressRule: Rule = {
  local: true,
  ids: ['eip-address-syntax', 'eip-address-range-reversed', 'eip-address-mixed-family', 'eip-address-prefix', 'eip-address-host-bits', 'eip-address-too-large'],
  checkResource(res, ctx) {
    if (res.openelb?.kind !== 'Eip') return;
    const node = getNode(res.root, ['spec', 'address']);
    if (!isScalar(node) || typeof node.value !== 'string') return; // the schema rule reports the type
    const text = node.value;
    // An alias (`address: *pool`) is reported where it is used; its fixes edit the anchored value.
    const [s] = scalarSourceRange(res, node);
    const parsed = parsePoolCached(text);
    for (const p of parsed.problems) {
      const fixes: Fix[] = [];
      if (p.code === 'eip-address-range-reversed') {
        const [a, b] = text.split('-');
        fixes.push({ title: `Swap to ${b}-${a}`, edits: [{ start: s, end: s + text.length, newText: `${b}-${a}` }], preferred: true });
      }
      if (p.code === 'eip-address-host-bits' && parsed.pool) {
        const net = `${formatIp(parsed.pool.family, parsed.pool.first)}/${parsed.pool.prefix}`;
        fixes.push({ title: `Change to ${net}`, edits: [{ start: s, end: s + text.length, newText: net }], preferred: true });
      }
      const [start, end] = scalarTextRange(res, node, p.start, p.end);
      ctx.report({ code: p.code, severity: p.severity, message: p.message + viaAnchor(node), start, end, path: 'spec.address', fixes });
    }
  },
};
