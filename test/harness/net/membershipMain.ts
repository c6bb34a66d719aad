// One membership member (runtime/src/speaker/membership/gossipNode.ts) as a process, for the net
// tier: run in a host's namespace, it prints one JSON line per event on stdout
// ({"event":"ready"}, {"event":"change",...}, {"event":"status",...}) and takes commands on stdin
// ("status", "leave"). The key comes from MEMBERSHIP_KEY (hex), never from argv.
//   node --import tsx membershipMain.ts NAME BIND_IP PORT name1=ip1,name2=ip2,...
import { createInterface } from 'node:readline';
import { GossipNode } from '../../../runtime/src/speaker/membership/gossipNode';

const [name, bind, port, peerList] = process.argv.slice(2);
const key = Buffer.from(process.env.MEMBERSHIP_KEY ?? '', 'hex');
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  const g = new GossipNode({
    node: name, bindAddress: bind, port: Number(port), keys: [key],
    log: (m) => say({ event: 'log', message: m }),
    onChange: (c) => say({ event: 'change', ...c }),
  });
  await g.start();
  g.setPeers(new Map(peerList.split(',').map((p) => p.split('=') as [string, string])));
  say({ event: 'ready', bound: g.bindFailure === undefined });
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'status') say({ event: 'status', live: g.live(), healthy: g.gossipHealthy(), synced: g.swim.isSynced });
    if (line === 'leave') void g.leave().then(() => { say({ event: 'left' }); process.exit(0); });
  });
}

void main().catch((e) => { say({ event: 'error', message: String(e) }); process.exit(1); });
