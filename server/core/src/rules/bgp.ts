// BgpConf and BgpPeer semantics beyond the schema, as OpenELB's speaker reads them.
import { parseIp, parseIPv4 } from '../address/ip';
import { RACK_LABEL } from '../api/annotations';
import { holdTimeAllowed, timerSeconds } from '../api/timers';
import { isMap, isScalar, toPlain, type AstNode } from '../model/ast';
import { getNode, getPair, nodeRange, scalarString, type Resource } from '../model/resource';
import type { Rule, RuleContext } from './context';

const MAX_AS = 4294967295;

function at(res: Resource, path: string[]): { node: AstNode | undefined; range: [number, number] } {
  const node = getNode(res.root, path);
  // Where to point when the field is absent: its key, else the nearest ancestor's key.
  for (let n = path.length; n > 0; n--) {
    const pair = getPair(getNode(res.root, path.slice(0, n - 1)), path[n - 1]);
    const r = n === path.length ? nodeRange(res, node) ?? nodeRange(res, pair?.key) : nodeRange(res, pair?.key);
    if (r) return { node, range: r };
  }
  return { node, range: nodeRange(res, getPair(res.root, 'kind')?.key) ?? [res.offset, res.offset] };
}

/** `rackHint`: the message for a missing value mentions asPerRack (BgpConf v1alpha2). */
function checkAs(res: Resource, ctx: RuleContext, path: string[], label: string, required: boolean, rackHint = false): void {
  const { node, range } = at(res, path);
  if (!isScalar(node) || node.value === null) {
    if (required) ctx.report({ code: 'bgp-as-range', severity: 'error', start: range[0], end: range[1], path: path.join('.'),
      message: `${path.join('.')} (${label}) is not set; a BGP session needs an AS number from 1 to ${MAX_AS}` +
        (rackHint ? ' (or give each rack its AS in spec.asPerRack, keyed by the node label ' + RACK_LABEL + ')' : '') });
    return;
  }
  if (typeof node.value !== 'number' || !Number.isInteger(node.value)) return; // schema reports the type
  if (node.value < 1 || node.value > MAX_AS) {
    ctx.report({ code: 'bgp-as-range', severity: 'error', start: range[0], end: range[1], path: path.join('.'),
      message: `${path.join('.')} is ${node.value}; ${label} must be from 1 to ${MAX_AS} (4-octet AS numbers are fine)` });
  }
}

/** `noListen`: the BgpConf listen port, where -1 means "do not listen for incoming sessions". */
function checkPort(res: Resource, ctx: RuleContext, path: string[], noListen = false): void {
  const { node, range } = at(res, path);
  if (!isScalar(node) || typeof node.value !== 'number') return;
  if (noListen && node.value === -1) return;
  if (node.value < 1 || node.value > 65535) {
    ctx.report({ code: 'bgp-port-range', severity: 'error', start: range[0], end: range[1], path: path.join('.'),
      message: noListen
        ? `${path.join('.')} is ${node.value}; accepted: a TCP port 1..65535, or -1 to not listen for incoming sessions (BGP's own port is 179)`
        : `${path.join('.')} is ${node.value}; a TCP port is from 1 to 65535 (BGP's own is 179)` });
  }
}

function checkBgpConf(res: Resource, ctx: RuleContext): void {
  const v2 = res.openelb!.version === 'v1alpha2';
  if (res.name !== undefined && res.name !== 'default') {
    const r = nodeRange(res, getNode(res.root, ['metadata', 'name'])) ?? [res.offset, res.offset];
    ctx.report({ code: 'bgpconf-name', severity: 'warning', start: r[0], end: r[1], path: 'metadata.name',
      fixes: [{ title: "Rename to 'default'", edits: [{ start: r[0], end: r[1], newText: 'default' }], preferred: true }],
      message: `OpenELB reads only the BgpConf named 'default'; '${res.name}' will be ignored` });
  }
  // v1alpha2: with asPerRack, nodes take their AS from their rack label's entry; spec.as is then optional.
  const asPerRack = v2 ? getNode(res.root, ['spec', 'asPerRack']) : undefined;
  const racks = isMap(asPerRack) ? asPerRack.pairs.map((p) => scalarString(p.key)).filter((k): k is string => k !== undefined) : [];
  // (`as: 0` is how an unset uint32 reads upstream, so it is "unset" next to asPerRack too.)
  const asNode = getNode(res.root, ['spec', 'as']);
  if (!(racks.length && isScalar(asNode) && asNode.value === 0)) checkAs(res, ctx, ['spec', 'as'], 'the local AS', racks.length === 0, v2);
  for (const k of racks) checkAs(res, ctx, ['spec', 'asPerRack', k], `the AS of rack '${k}'`, false);
  const ridPath = ['spec', v2 ? 'routerId' : 'routerID'];
  const rid = at(res, ridPath);
  const ridText = scalarString(rid.node);
  if (ridText !== undefined && ridText !== '' && parseIPv4(ridText) === undefined) {
    ctx.report({ code: 'bgpconf-router-id', severity: 'error', start: rid.range[0], end: rid.range[1], path: ridPath.join('.'),
      message: `${ridPath.join('.')} '${ridText}' is not an IPv4 address; a BGP router ID is written as one (e.g. 192.168.0.10), also on IPv6-only nodes` });
  }
  // v1alpha2 listenPort -1 = do not listen (gobgp); v1alpha1's CRD bounds port to 1..65535.
  checkPort(res, ctx, ['spec', v2 ? 'listenPort' : 'port'], v2);
}

const TIMERS = ['connectRetry', 'holdTime', 'keepaliveInterval', 'minimumAdvertisementInterval'];

function checkBgpPeer(res: Resource, ctx: RuleContext): void {
  const v2 = res.openelb!.version === 'v1alpha2';
  const conf = v2 ? 'conf' : 'config';
  const addr = at(res, ['spec', conf, 'neighborAddress']);
  const addrText = scalarString(addr.node);
  if (addrText === undefined) {
    ctx.report({ code: 'bgppeer-neighbor-address', severity: 'error', start: addr.range[0], end: addr.range[1], path: `spec.${conf}.neighborAddress`,
      message: `spec.${conf}.neighborAddress is not set; write the router's IP address` });
  } else if (!parseIp(addrText)) {
    ctx.report({ code: 'bgppeer-neighbor-address', severity: 'error', start: addr.range[0], end: addr.range[1], path: `spec.${conf}.neighborAddress`,
      message: `'${addrText}' is not an IP address; neighborAddress is the router's IPv4 or IPv6 address` });
  }
  checkAs(res, ctx, ['spec', conf, 'peerAs'], 'the peer AS', true);
  if (v2) {
    checkAs(res, ctx, ['spec', 'conf', 'localAs'], 'the local AS', false);
    checkPort(res, ctx, ['spec', 'transport', 'remotePort']);
    for (const t of TIMERS) {
      const { node, range } = at(res, ['spec', 'timers', 'config', t]);
      if (!isScalar(node) || node.value === null) continue;
      const text = String(node.value);
      const secs = timerSeconds(text);
      if (secs === undefined) {
        ctx.report({ code: 'bgppeer-timer', severity: 'error', start: range[0], end: range[1], path: `spec.timers.config.${t}`,
          message: `timers.config.${t} is '${text}'; it must be a whole number of seconds in quotes, e.g. "90"` });
      } else if (t === 'holdTime' && !holdTimeAllowed(secs)) {
        ctx.report({ code: 'bgppeer-timer', severity: 'error', start: range[0], end: range[1], path: 'spec.timers.config.holdTime',
          message: `holdTime ${text} is not allowed by BGP (RFC 4271): use 0 (no keepalives) or at least 3 seconds` });
      }
    }
    const ttl = at(res, ['spec', 'ebgpMultihop', 'multihopTtl']);
    if (isScalar(ttl.node) && typeof ttl.node.value === 'number' && (ttl.node.value < 1 || ttl.node.value > 255)) {
      ctx.report({ code: 'bgppeer-multihop-ttl', severity: 'error', start: ttl.range[0], end: ttl.range[1], path: 'spec.ebgpMultihop.multihopTtl',
        message: `multihopTtl is ${ttl.node.value}; an IP TTL is from 1 to 255` });
    }
  }
}

function checkDuplicateNeighbors(ctx: RuleContext): void {
  const seen = new Map<string, string>();
  for (const res of ctx.resources) {
    if (res.openelb?.kind !== 'BgpPeer' || !res.openelb.version) continue;
    const conf = res.openelb.version === 'v1alpha2' ? 'conf' : 'config';
    const node = getNode(res.root, ['spec', conf, 'neighborAddress']);
    const ip = parseIp(scalarString(node) ?? '');
    if (!ip) continue;
    let selector = 'null';
    try {
      selector = JSON.stringify(toPlain(getNode(res.root, ['spec', 'nodeSelector']) ?? null));
    } catch {
      continue; // nested too deeply to compare
    }
    const key = `${ip.family}/${ip.value}/${selector}`;
    const first = seen.get(key);
    const r = nodeRange(res, node) ?? [res.offset, res.offset];
    if (first !== undefined) {
      // A warning: upstream admits both (and lets one silently overwrite the other).
      ctx.report({ code: 'bgppeer-duplicate-neighbor', severity: 'warning', start: r[0], end: r[1], path: `spec.${conf}.neighborAddress`,
        message: `BgpPeer '${first}' already peers with ${scalarString(node)} on the same nodes; one neighbour has one session per node, so the speaker keeps the BgpPeer first by name and leaves the other out (upstream lets one silently overwrite the other); merge them or narrow their nodeSelectors` });
    } else seen.set(key, res.name ?? `document ${res.index + 1}`);
  }
}

export const bgpRule: Rule = {
  ids: ['bgpconf-name', 'bgp-as-range', 'bgpconf-router-id', 'bgp-port-range', 'bgppeer-neighbor-address', 'bgppeer-timer', 'bgppeer-multihop-ttl', 'bgppeer-duplicate-neighbor'],
  checkResource(res, ctx) {
    if (!res.openelb?.version) return;
    if (res.openelb.kind === 'BgpConf') checkBgpConf(res, ctx);
    if (res.openelb.kind === 'BgpPeer') checkBgpPeer(res, ctx);
  },
  checkFile: checkDuplicateNeighbors,
};
