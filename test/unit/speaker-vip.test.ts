// Vip mode: the pure planning (runtime/src/speaker/plan/vip.ts and the vip part of
// desiredState) and the VipDriver against a fake packet helper that records what it is asked.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePool, type Pool } from '@openelb/core/address/pool';
import { desiredState, eipView, serviceView } from '../../runtime/src/speaker/plan/desiredState';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import {
  interfaceNames, isVipAddress, placeVips, vipChanges, vipInterfaces, vipPools, withoutVips, type VipPlacement,
} from '../../runtime/src/speaker/plan/vip';
import { nicsFrom } from '../../runtime/src/speaker/node/interfaces';
import { parseAddressList } from '../../runtime/src/speaker/node/netlinkHelper';
import { Layer2Driver } from '../../runtime/src/speaker/node/layer2Driver';
import { REASON_VIP_FAILED, VipDriver } from '../../runtime/src/speaker/node/vipDriver';
import { parseArp } from '../../runtime/src/speaker/layer2/arp';
import { waitFor } from '../harness/net/topology';

const NODES = ['n1', 'n2', 'n3'];
const nodes = NODES.map((name) => ({ name, ready: true }));
const live = new Set(NODES);
const vipEip = (name: string, address: string, iface = 'eth0', conditions: object[] = []) =>
  eipView({ metadata: { name }, spec: { address, protocol: 'vip', interface: iface }, status: { conditions } }, true);
const svc = (name: string, ip: string) => serviceView({ metadata: { name, namespace: 'ns', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
  spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip }] } } }, new Set())!;
const pool = (text: string): Pool => parsePool(text).pool!;
const nics = nicsFrom({
  eth0: [{ address: '192.168.0.5', cidr: '192.168.0.5/24', mac: '02:00:00:00:00:05', internal: false },
    { address: '192.168.0.20', cidr: '192.168.0.20/32', mac: '02:00:00:00:00:05', internal: false },
    { address: 'fd00::20', cidr: 'fd00::20/128', mac: '02:00:00:00:00:05', internal: false }],
  eth1: [{ address: '10.1.0.5', cidr: '10.1.0.5/16', mac: '02:00:00:00:01:05', internal: false }],
});

describe('vip election (desiredState)', () => {
  const eips = [vipEip('v', '192.168.0.16/28'), vipEip('v6', 'fd00::10-fd00::1f')];
  const services = [svc('a', '192.168.0.20'), svc('b', '192.168.0.21'), svc('c', 'fd00::1a')];

  it('exactly one live node holds each vip address, the node layer2 would elect; none is announced as layer2', () => {
    const plans = NODES.map((n) => desiredState(n, eips, services, nodes, live));
    const held = plans.flatMap((p, i) => p.vip.map((a) => `${a.ip}@${NODES[i]}`)).sort();
    assert.deepEqual(held, ['192.168.0.20', '192.168.0.21', 'fd00::1a'].map((ip) => `${ip}@${electOwner(ip, NODES)}`).sort());
    for (const p of plans) assert.deepEqual([p.layer2, p.bgp], [[], []]);
    assert.equal(plans[0].owners.get('fd00::1a'), electOwner('fd00::1a', NODES), 'owners include vip addresses');
  });

  it('a dead speaker or a node that reported Speaker.<node>=False is passed over, as in layer2', () => {
    const ip = '192.168.0.20';
    const first = electOwner(ip, NODES)!;
    const rest = NODES.filter((n) => n !== first);
    const holder = (eipList: typeof eips, liveSet: Set<string>) =>
      NODES.filter((n) => desiredState(n, eipList, [svc('a', ip)], nodes, liveSet).vip.some((a) => a.ip === ip));
    assert.deepEqual(holder(eips, live), [first]);
    assert.deepEqual(holder(eips, new Set(rest)), [electOwner(ip, rest)]);
    const unable = [vipEip('v', '192.168.0.16/28', 'eth0', [{ type: `Speaker.${first}`, status: 'False', reason: REASON_VIP_FAILED }])];
    assert.deepEqual(holder(unable, live), [electOwner(ip, rest)]);
  });
});

describe('vip planning', () => {
  const eips = [vipEip('v', '192.168.0.16/28'), vipEip('reach', '10.2.0.0/24', 'can_reach:10.1.0.1'), vipEip('gone', '10.3.0.0/24', 'eth9'),
    eipView({ metadata: { name: 'l2' }, spec: { address: '192.168.0.64/28', protocol: 'layer2', interface: 'eth0' } }, true),
    { ...vipEip('bad', '10.4.0.0/24'), valid: false }];

  it('resolves each usable vip Eip\'s interface (name or can_reach) without a subnet check', () => {
    const choices = vipInterfaces(eips, nics, (ip) => (ip === '10.1.0.1' ? 'eth1' : undefined));
    assert.deepEqual([...choices.keys()], ['v', 'reach', 'gone'], 'layer2 and invalid Eips are not vip Eips to serve');
    assert.deepEqual(choices.get('reach'), { ifname: 'eth1' }, '10.2.0.0/24 is in no subnet of eth1, which is fine for vip');
    assert.match((choices.get('gone') as { error: string }).error, /eth9 does not exist/);
    assert.deepEqual([...interfaceNames(choices)].sort(), ['eth0', 'eth1']);
    assert.deepEqual(vipPools(eips).map((p) => p.first), [pool('192.168.0.16/28').first, pool('10.2.0.0/24').first, pool('10.3.0.0/24').first]);
  });

  it('places elected addresses on their Eip\'s usable interface only', () => {
    const elected = [{ ip: '192.168.0.20', family: 4 as const, eip: 'v', interface: 'eth0', services: [] },
      { ip: '10.3.0.1', family: 4 as const, eip: 'gone', interface: 'eth9', services: [] }];
    assert.deepEqual(placeVips(elected, new Map([['v', { ifname: 'eth0' }], ['gone', { error: 'no eth9' }]])), [{ ip: '192.168.0.20', ifname: 'eth0' }]);
  });

  it('a host address is /32 or /128 inside a vip pool', () => {
    const pools = [pool('192.168.0.16/28'), pool('fd00::10-fd00::1f')];
    assert.equal(isVipAddress('192.168.0.20', 32, pools), true);
    assert.equal(isVipAddress('192.168.0.20', 24, pools), false, 'a subnet address is never ours');
    assert.equal(isVipAddress('192.168.0.40', 32, pools), false);
    assert.equal(isVipAddress('fd00::1f', 128, pools), true);
    assert.equal(isVipAddress('fd00::1f', 64, pools), false);
  });
});

describe('vipChanges', () => {
  const pools = [pool('192.168.0.16/28'), pool('fd00::10-fd00::1f')];
  const at = (ip: string, ifname = 'eth0'): VipPlacement => ({ ip, ifname });
  const sorted = (c: { add: VipPlacement[]; remove: VipPlacement[] }) => ({
    add: c.add.map((p) => `${p.ifname} ${p.ip}`).sort(), remove: c.remove.map((p) => `${p.ifname} ${p.ip}`).sort(),
  });

  it('after a restart: leftovers inside vip pools go, wanted ones are taken (announced), others are left alone', () => {
    const observed = new Map([['eth0', parseAddressList('192.168.0.5/24\n192.168.0.20/32\n192.168.0.21/32\n192.168.0.17/24\n10.1.1.1/32\nfd00::2/64\nfd00::1e/128\nfe80::1/64\n')]]);
    assert.deepEqual(sorted(vipChanges([at('192.168.0.21')], [], observed, pools)), {
      add: ['eth0 192.168.0.21'],
      remove: ['eth0 192.168.0.20', 'eth0 fd00::1e'],
    });
  });

  it('takes what is wanted, releases what is not, repairs what the kernel lost, and follows an interface change', () => {
    const held = [at('192.168.0.20'), at('192.168.0.21'), at('192.168.0.22'), at('fd00::10')];
    const wanted = [at('192.168.0.20'), at('192.168.0.21'), at('192.168.0.23'), at('fd00::10', 'eth1')];
    assert.deepEqual(sorted(vipChanges(wanted, held, new Map(), pools)), {
      add: ['eth0 192.168.0.23', 'eth1 fd00::10'], remove: ['eth0 192.168.0.22', 'eth0 fd00::10'],
    });
    const observed = new Map([['eth0', [{ ip: '192.168.0.20', prefix: 32 }, { ip: '192.168.0.22', prefix: 32 }]]]);
    assert.deepEqual(sorted(vipChanges(wanted, held, observed, pools)).add, ['eth0 192.168.0.21', 'eth0 192.168.0.23', 'eth1 fd00::10'],
      '192.168.0.21 is held but gone from eth0: added again');
    assert.deepEqual(sorted(vipChanges(wanted, wanted, new Map(), pools)), { add: [], remove: [] }, 'nothing to do');
  });

  it('compares addresses, not their spelling', () => {
    const observed = new Map([['eth0', parseAddressList('fd00::10/128\n')]]);
    assert.deepEqual(sorted(vipChanges([at('fd00:0:0::10')], [at('fd00:0:0::10')], observed, pools)), { add: [], remove: [] });
  });

  it('parses the helper\'s list and hides held vips from the interfaces annotation', () => {
    assert.deepEqual(parseAddressList('10.0.0.1/24\nfd00:0::1/128\n\ngarbage\n1.2.3.4/99\n'), [{ ip: '10.0.0.1', prefix: 24 }, { ip: 'fd00::1', prefix: 128 }]);
    const eth0 = withoutVips(nics, ['192.168.0.20', 'fd00:0::20', '192.168.0.5']).find((n) => n.name === 'eth0')!;
    assert.deepEqual(eth0.addresses.map((a) => `${a.address}/${a.prefix}`), ['192.168.0.5/24'], 'only host addresses are hidden');
  });
});

describe('VipDriver with a fake helper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-vip-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const helper = join(dir, 'helper');
  // addr: records the call, refuses on bad0 (check), ro0 (add), rd0 (del), lists list-<if>. Packet mode:
  // reports the interface, records every frame it is asked to send, ends when stdin closes.
  writeFileSync(helper, `#!${process.execPath}
const fs = require('fs'); const dir = ${JSON.stringify(dir)}; const args = process.argv.slice(2);
fs.appendFileSync(dir + '/calls', args.join(' ') + '\\n');
if (args[0] === 'addr') {
  const [, verb, ifname] = args;
  const refuse = (ifname === 'bad0' && verb === 'check') || (ifname === 'ro0' && verb === 'add') || (ifname === 'rd0' && verb === 'del');
  if (refuse) { process.stderr.write('openelb-packet-helper: addr ' + verb + ' ' + ifname + ': Operation not permitted (needs CAP_NET_ADMIN)\\n'); process.exit(1); }
  if (verb === 'list' && fs.existsSync(dir + '/list-' + ifname)) process.stdout.write(fs.readFileSync(dir + '/list-' + ifname));
  process.exit(0);
}
const ifname = args[args.length - 1];
const info = Buffer.from(JSON.stringify({ ifname, ifindex: 2, mac: '02:00:00:00:00:01', mtu: 1500, addrs: [] }));
process.stdout.write(Buffer.concat([Buffer.from([0x49, info.length >> 8, info.length & 255]), info]));
let buf = Buffer.alloc(0);
process.stdin.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 3 && buf.length >= 3 + buf.readUInt16BE(1)) {
    const len = buf.readUInt16BE(1);
    if (buf[0] === 0x46) fs.appendFileSync(dir + '/frames-' + ifname, buf.subarray(3, 3 + len).toString('hex') + '\\n');
    buf = buf.subarray(3 + len);
  }
});
process.stdin.on('end', () => process.exit(0));
`);
  chmodSync(helper, 0o755);
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  const frames = (ifname: string) => (existsSync(join(dir, `frames-${ifname}`)) ? readFileSync(join(dir, `frames-${ifname}`), 'utf8').trim().split('\n') : []);
  const pools = [pool('192.168.0.16/28')];

  it('checks ahead, reports refusals, removes leftovers, announces takeovers, and removes everything at stop', async () => {
    writeFileSync(join(dir, 'list-eth0'), '192.168.0.5/24\n192.168.0.20/32\n192.168.0.21/32\n10.1.1.1/32\n');
    const logs: string[] = [];
    const driver = new VipDriver((m) => logs.push(m), () => {}, helper);
    await driver.ensure(['eth0', 'bad0', 'ro0']);
    const usable = driver.usable(new Map([['a', { ifname: 'eth0' }], ['b', { ifname: 'bad0' }], ['c', { error: 'interface eth9 does not exist' }]]));
    assert.deepEqual(usable.get('a'), { ifname: 'eth0' });
    assert.equal((usable.get('b') as { reason: string }).reason, REASON_VIP_FAILED);
    assert.match((usable.get('b') as { error: string }).error, /bad0: .*Operation not permitted \(needs CAP_NET_ADMIN\)/);
    assert.deepEqual(usable.get('c'), { error: 'interface eth9 does not exist' }, 'resolution errors pass through');
    assert.ok(calls().includes('--send-only eth0'), calls().join('\n'));

    const first = await driver.apply([{ ip: '192.168.0.21', ifname: 'eth0' }, { ip: '192.168.0.22', ifname: 'eth0' }], pools);
    assert.deepEqual(first.remove, [{ ip: '192.168.0.20', ifname: 'eth0' }], 'the leftover goes; 10.1.1.1/32 is outside every vip pool');
    assert.deepEqual(first.add.map((p) => p.ip), ['192.168.0.21', '192.168.0.22']);
    assert.ok(calls().includes('addr del eth0 192.168.0.20') && calls().includes('addr add eth0 192.168.0.21 192.168.0.22'), calls().join('\n'));
    const sent = await waitFor('two gratuitous ARPs', () => (frames('eth0').length >= 2 ? frames('eth0') : undefined), 5000);
    const arps = sent.map((hex) => parseArp(Buffer.from(hex, 'hex'))!);
    assert.deepEqual(arps.map((a) => [a.op, a.senderIp.value === a.targetIp.value, a.senderMac.toString('hex')]), [[1, true, '020000000001'], [1, true, '020000000001']]);

    assert.deepEqual(await driver.apply([{ ip: '192.168.0.21', ifname: 'eth0' }, { ip: '192.168.0.22', ifname: 'eth0' }], pools), { add: [], remove: [] });

    // ro0 passes the check but the kernel refuses the address: reported, and released next time.
    const refused = await driver.apply([{ ip: '192.168.0.21', ifname: 'eth0' }, { ip: '192.168.0.23', ifname: 'ro0' }], pools);
    assert.deepEqual(refused.add, [], 'nothing added on ro0');
    assert.deepEqual(refused.remove, [{ ip: '192.168.0.22', ifname: 'eth0' }]);
    assert.match((driver.usable(new Map([['d', { ifname: 'ro0' }]])).get('d') as { error: string }).error, /cannot add 192\.168\.0\.23 on ro0/);
    const after = await driver.apply([{ ip: '192.168.0.21', ifname: 'eth0' }], pools);
    assert.deepEqual(after.remove, [{ ip: '192.168.0.23', ifname: 'ro0' }], 'a refused add may have half happened: removed');

    await driver.stop();
    assert.equal(calls().at(-1), 'addr del eth0 192.168.0.21');
    assert.deepEqual([...driver.holdings()], []);
    assert.equal(logs.filter((l) => /bad0/.test(l)).length, 1, `a failure is logged once: ${logs.join('\n')}`);
  });

  it('announces again what it holds when asked (back from a silence), as at a takeover', async (t) => {
    const driver = new VipDriver(() => {}, () => {}, helper);
    t.after(() => driver.stop()); // also when an assertion fails: the helper would keep the test alive
    await driver.ensure(['eth2']);
    const held = [{ ip: '192.168.0.25', ifname: 'eth2' }];
    assert.deepEqual((await driver.apply(held, pools)).add, held);
    await waitFor('the takeover\'s three gratuitous ARPs', () => driver.gratuitousSent === 3 || undefined, 5000);
    assert.deepEqual(await driver.apply(held, pools), { add: [], remove: [] }, 'the plan is unchanged');
    assert.deepEqual(driver.reannounce(), held);
    assert.equal(driver.gratuitousSent, 4, 'the first of a new series goes at once');
  });

  it('an address wanted again after a refused release is announced again', async (t) => {
    const logs: string[] = [];
    const driver = new VipDriver((m) => logs.push(m), () => {}, helper);
    t.after(() => driver.stop()); // also when an assertion fails: the helper would keep the test alive
    await driver.ensure(['rd0']);
    const p = { ip: '192.168.0.26', ifname: 'rd0' };
    assert.deepEqual((await driver.apply([p], pools)).add, [p]);
    await waitFor('the takeover\'s three gratuitous ARPs', () => driver.gratuitousSent === 3 || undefined, 5000);
    writeFileSync(join(dir, 'list-rd0'), '192.168.0.26/32\n'); // still there, as the kernel lists it
    assert.deepEqual(await driver.apply([], pools), { add: [], remove: [] }, 'the kernel refused the release');
    assert.ok(logs.some((l) => /cannot remove 192\.168\.0\.26 on rd0/.test(l)), logs.join('\n'));
    // Another node owned it meanwhile and moved the neighbours; it is ours again.
    assert.deepEqual((await driver.apply([p], pools)).add, [p]);
    assert.equal(driver.gratuitousSent, 4);
    assert.deepEqual((await driver.apply([p], pools)).add, [], 'once');
  });

  it('the layer2 driver announces again what it announces when asked', async (t) => {
    const driver = new Layer2Driver(() => {}, () => {}, helper);
    t.after(() => driver.stop()); // also when an assertion fails: the helper would keep the test alive
    await driver.ensure(['eth3']);
    const want = [{ ip: '192.168.0.27', ifname: 'eth3' }];
    assert.deepEqual(driver.apply(want), { announced: ['192.168.0.27'], withdrawn: [] });
    await waitFor('the takeover\'s three gratuitous ARPs', () => driver.counters().gratuitousSent === 3 || undefined, 5000);
    assert.deepEqual(driver.apply(want), { announced: [], withdrawn: [] }, 'the plan is unchanged');
    assert.deepEqual(driver.reannounce(), ['192.168.0.27']);
    assert.equal(driver.counters().gratuitousSent, 4, 'the first of a new series goes at once');
    await waitFor('its ARP frames', () => (frames('eth3').length >= 4 || undefined), 5000);
  });

  it('without a helper every interface is reported unusable with the reason', async () => {
    const driver = new VipDriver(() => {}, () => {}, undefined, 'openelb-packet-helper for arm64 was not shipped');
    await driver.ensure(['eth0']);
    const c = driver.usable(new Map([['a', { ifname: 'eth0' }]])).get('a') as { error: string; reason: string };
    assert.equal(c.reason, REASON_VIP_FAILED);
    assert.match(c.error, /not shipped/);
    await driver.stop();
  });
});
