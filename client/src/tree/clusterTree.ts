// The "OpenELB" tree: context → Eips (protocol, usage bar, badges) → allocated IPs →
// namespace/Service (click opens its YAML), plus BgpConf and BgpPeers. Rebuilt from the watch
// snapshot on every change; when not connected it is empty so the welcome text explains why.
import * as vscode from 'vscode';
import { parsePool, poolSize } from '@openelb/core/address/pool';
import { speakerFailures } from '../../../runtime/src/speaker/plan/desiredState';
import { describeFailure } from '../../../runtime/src/ops/status';
import type { ClusterConnection } from '../cluster/clusterConnection';
import type { ClusterSnapshot, KObject } from '../cluster/clusterState';
import { usageBar } from './usageBar';

type Node =
  | { kind: 'context'; name: string }
  | { kind: 'eip'; eip: KObject }
  | { kind: 'ip'; eip: string; ip: string; holders: string[] }
  | { kind: 'service'; ref: string }
  | { kind: 'bgpconf'; conf: KObject }
  | { kind: 'peers' }
  | { kind: 'peer'; peer: KObject };

/** Pool size from the status, else computed from spec.address (before the controller ran). */
function sizeOf(eip: KObject): number {
  const fromStatus = eip.status?.poolSize;
  if (typeof fromStatus === 'number') return fromStatus;
  const parsed = parsePool(String(eip.spec?.address ?? '')).pool;
  return parsed ? Number(poolSize(parsed)) : 0;
}

function isInvalid(eip: KObject): string | undefined {
  const conds = (eip.status?.conditions ?? []) as { type?: string; status?: string; message?: string }[];
  const bad = conds.find((c) => c.type === 'Valid' && c.status === 'False');
  if (bad) return bad.message ?? 'invalid';
  if (!parsePool(String(eip.spec?.address ?? '')).pool) return `address ${String(eip.spec?.address)} is not valid`;
  return undefined;
}

export class ClusterTree implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private snap: ClusterSnapshot;

  constructor(cluster: ClusterConnection) {
    this.snap = cluster.snapshot;
    cluster.onDidChange((s) => { this.snap = s; this.emitter.fire(undefined); });
  }

  getChildren(node?: Node): Node[] {
    const o = this.snap.objects;
    if (!node) return this.snap.state === 'connected' ? [{ kind: 'context', name: this.snap.context ?? '(no context)' }] : [];
    switch (node.kind) {
      case 'context': {
        const eips = [...o.eips.values()].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
        const out: Node[] = eips.map((eip) => ({ kind: 'eip', eip }));
        for (const conf of o.bgpconfs.values()) out.push({ kind: 'bgpconf', conf });
        out.push({ kind: 'peers' });
        return out;
      }
      case 'eip': {
        const used = (node.eip.status?.used ?? {}) as Record<string, string>;
        const name = node.eip.metadata?.name ?? '';
        return Object.keys(used).sort(compareIps).map((ip) => ({ kind: 'ip', eip: name, ip, holders: String(used[ip]).split(';').filter(Boolean) }));
      }
      case 'ip':
        return node.holders.map((ref) => ({ kind: 'service', ref }));
      case 'peers':
        return [...o.bgppeers.values()].map((peer) => ({ kind: 'peer', peer }));
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'context': {
        const item = new vscode.TreeItem(node.name, C.Expanded);
        item.id = `ctx:${node.name}`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.description = `${this.snap.objects.eips.size} Eips`;
        item.contextValue = 'context';
        return item;
      }
      case 'eip': {
        const e = node.eip;
        const name = e.metadata?.name ?? '';
        const usage = typeof e.status?.usage === 'number' ? e.status.usage : Object.keys((e.status?.used ?? {}) as object).length;
        const badges: string[] = [];
        if (e.spec?.disable === true) badges.push('disabled');
        const invalid = isInvalid(e);
        if (invalid) badges.push('invalid');
        // Nodes whose speaker reported it cannot announce this pool (the same warning as `openelb status`).
        const failing = speakerFailures(e.status?.conditions);
        if (failing.length) badges.push(`${failing.length} node${failing.length === 1 ? '' : 's'} failing`);
        const item = new vscode.TreeItem(name, usage > 0 ? C.Collapsed : C.None);
        item.id = `eip:${name}`;
        item.description = [String(e.spec?.protocol ?? 'bgp'), usageBar(usage, sizeOf(e)), ...badges.map((b) => `[${b}]`)].join(' ');
        const warnings = failing.map((f) => `\n\n$(warning) ${describeFailure(name, f)}`).join('');
        item.tooltip = new vscode.MarkdownString(`**Eip ${name}**\n\naddress: \`${String(e.spec?.address)}\`${invalid ? `\n\ninvalid: ${invalid}` : ''}${warnings}`, true);
        const icon = invalid ? 'error' : e.spec?.disable === true ? 'circle-slash' : failing.length ? 'warning' : 'symbol-numeric';
        item.iconPath = new vscode.ThemeIcon(icon);
        item.contextValue = 'eip';
        return item;
      }
      case 'ip': {
        const item = new vscode.TreeItem(node.ip, node.holders.length ? C.Collapsed : C.None);
        item.id = `ip:${node.eip}:${node.ip}`;
        item.description = node.holders.join(', ');
        item.iconPath = new vscode.ThemeIcon('location');
        return item;
      }
      case 'service': {
        const [ns, name] = node.ref.includes('/') ? node.ref.split('/', 2) : ['default', node.ref];
        const item = new vscode.TreeItem(`${ns}/${name}`, C.None);
        item.iconPath = new vscode.ThemeIcon('symbol-interface');
        item.command = { command: 'openelb.openService', title: 'Open Service', arguments: [ns, name] };
        item.contextValue = 'service';
        return item;
      }
      case 'bgpconf': {
        const s = node.conf.spec ?? {};
        const item = new vscode.TreeItem(`BgpConf ${node.conf.metadata?.name ?? ''}`, C.None);
        item.id = `bgpconf:${node.conf.metadata?.name}`;
        item.description = `AS ${String(s.as ?? '?')} router-id ${String(s.routerId ?? '?')}`;
        item.iconPath = new vscode.ThemeIcon('settings-gear');
        return item;
      }
      case 'peers': {
        const n = this.snap.objects.bgppeers.size;
        const item = new vscode.TreeItem('BgpPeers', n ? C.Collapsed : C.None);
        item.id = 'peers';
        item.description = `${n}`;
        item.iconPath = new vscode.ThemeIcon('references');
        return item;
      }
      case 'peer': {
        const conf = ((node.peer.spec ?? {}).conf ?? {}) as Record<string, unknown>;
        const item = new vscode.TreeItem(node.peer.metadata?.name ?? '', C.None);
        item.id = `peer:${node.peer.metadata?.name}`;
        item.description = `${String(conf.neighborAddress ?? '?')} AS ${String(conf.peerAs ?? '?')}`;
        item.iconPath = new vscode.ThemeIcon('plug');
        return item;
      }
    }
  }
}

/** Orders IP strings numerically where possible. */
function compareIps(a: string, b: string): number {
  const pa = parsePool(a).pool;
  const pb = parsePool(b).pool;
  if (pa && pb && pa.family === pb.family) return pa.first < pb.first ? -1 : pa.first > pb.first ? 1 : 0;
  return a.localeCompare(b);
}
