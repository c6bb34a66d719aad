// Eip interface: required for layer2/vip, `can_reach:IP` syntax, Linux name rules, and (with
// cluster facts) presence on every node and a subnet that holds the whole pool.
import { parseIp } from '../address/ip';
import { parsePoolCached, parseSubnet, subnetContainsPool } from '../address/pool';
import { isScalar } from '../model/ast';
import { getNode, getPair, nodeRange, scalarContentRange, scalarTextRange, getString } from '../model/resource';
import type { Rule } from './context';

const CAN_REACH = 'can_reach:';

export const eipInterfaceRule: Rule = {
  ids: ['eip-interface-required', 'eip-interface-can-reach', 'eip-interface-name', 'eip-interface-missing', 'eip-layer2-subnet'],
  checkResource(res, ctx) {
    if (res.openelb?.kind !== 'Eip') return;
    const protocol = getString(res.root, ['spec', 'protocol']) ?? 'bgp';
    const node = getNode(res.root, ['spec', 'interface']);
    const value = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    if ((protocol === 'layer2' || protocol === 'vip') && !value) {
      const protoPair = getPair(getNode(res.root, ['spec']), 'protocol');
      const r = nodeRange(res, protoPair?.value) ?? nodeRange(res, protoPair?.key) ?? [res.offset, res.offset];
      const keyR = nodeRange(res, protoPair?.key);
      let fix;
      if (keyR && !node) {
        const lineStart = ctx.text.lastIndexOf('\n', keyR[0] - 1) + 1;
        const indent = ctx.text.slice(lineStart, keyR[0]);
        const lineEnd = ctx.text.indexOf('\n', keyR[0]);
        const at = lineEnd < 0 ? ctx.text.length : lineEnd;
        const nl = ctx.text.slice(at - 1, at) === '\r' ? '\r\n' : '\n';
        const insertAt = nl === '\r\n' ? at - 1 : at;
        fix = { title: 'Add interface: eth0', edits: [{ start: insertAt, end: insertAt, newText: `${nl}${indent}interface: eth0` }], preferred: true };
      }
      ctx.report({ code: 'eip-interface-required', severity: 'error', start: r[0], end: r[1], path: 'spec.interface', fixes: fix ? [fix] : [],
        message: `protocol ${protocol} needs spec.interface: the NIC that answers for these addresses, e.g. 'eth0' or 'can_reach:192.168.0.1'` });
      return;
    }
    if (!value || !isScalar(node)) return;
    const [s, e] = scalarContentRange(res, node);
    if (value.startsWith(CAN_REACH)) {
      const ip = value.slice(CAN_REACH.length);
      if (!parseIp(ip)) {
        const [from, to] = scalarTextRange(res, node, CAN_REACH.length, value.length);
        ctx.report({ code: 'eip-interface-can-reach', severity: 'error', start: from, end: to, path: 'spec.interface',
          message: `'${ip}' after can_reach: is not an IP address; write can_reach:<IP of a router or host the interface reaches>, e.g. can_reach:192.168.0.1` });
      }
      return;
    }
    if (value.length > 15 || !/^[^\s/:]+$/.test(value) || value === '.' || value === '..') {
      ctx.report({ code: 'eip-interface-name', severity: 'error', start: s, end: e, path: 'spec.interface',
        message: `'${value}' is not a Linux interface name (1 to 15 characters, no spaces, '/' or ':'); or use can_reach:IP` });
      return;
    }
    const nodes = ctx.facts.cluster?.nodes.filter((n) => n.interfaces && n.interfaces.length > 0) ?? [];
    if (nodes.length === 0 || protocol === 'bgp') return;
    const missing = nodes.filter((n) => !n.interfaces!.some((i) => i.name === value)).map((n) => n.name);
    if (missing.length) {
      ctx.report({ code: 'eip-interface-missing', severity: 'warning', start: s, end: e, path: 'spec.interface',
        message: `interface '${value}' does not exist on node${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ` +
          `those nodes cannot answer for this pool (their interfaces: ${[...new Set(nodes.flatMap((n) => n.interfaces!.map((i) => i.name)))].join(', ')})` });
    }
    const pool = parsePoolCached(getString(res.root, ['spec', 'address']) ?? '').pool;
    if (!pool || protocol !== 'layer2') return;
    const outside = nodes.filter((n) => {
      const itf = n.interfaces!.find((i) => i.name === value);
      if (!itf) return false;
      return !itf.addresses.some((cidr) => {
        const subnet = parseSubnet(cidr);
        return subnet && subnetContainsPool(subnet, pool);
      });
    }).map((n) => n.name);
    if (outside.length) {
      ctx.report({ code: 'eip-layer2-subnet', severity: 'warning', start: s, end: e, path: 'spec.interface',
        message: `on ${outside.join(', ')}, no subnet of '${value}' holds the whole address range; layer2 answers only work inside the interface's subnet` });
    }
  },
};
