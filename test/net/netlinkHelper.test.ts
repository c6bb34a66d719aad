// The packet helper's rtnetlink subcommands (runtime/native/netlink.c) and its --send-only
// mode, on their own in namespaces: what they change, what they refuse, and their exit codes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseIp } from '@openelb/core/address/ip';
import { buildGratuitousArp } from '../../runtime/src/speaker/layer2/arp';
import { PacketIO } from '../../runtime/src/speaker/layer2/packetIO';
import { parseMac } from '../../runtime/src/speaker/layer2/wire';
import { buildPacketHelper } from '../harness/net/announcerProcess';
import { interfaceAddresses, until } from '../harness/net/speakerHelpers';
import { Topology, requireNetTools, waitFor, type HostName } from '../harness/net/topology';

describe('openelb-packet-helper addr / route', () => {
  let topo: Topology;
  let helperPath: string;
  const opened: PacketIO[] = [];

  /** Runs the helper in a host's namespace (optionally without CAP_NET_ADMIN). */
  const helper = (host: HostName, args: string[], noNetAdmin = false) => {
    const pre = noNetAdmin ? ['setpriv', '--inh-caps=-all', '--bounding-set=-net_admin'] : [];
    const r = spawnSync('ip', ['netns', 'exec', topo.hosts[host].ns, ...pre, helperPath, ...args], { encoding: 'utf8', timeout: 10_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const locals = (host: HostName) => interfaceAddresses(topo.hosts[host].ns).map((a) => `${a.local}/${a.prefixlen}`);

  before(() => {
    requireNetTools(['ip', 'ping', 'setpriv', 'gcc']);
    helperPath = buildPacketHelper();
    topo = Topology.create();
  });
  after(async () => {
    for (const io of opened) await io.close();
    topo?.teardown();
  });

  test('add, list and del host addresses, both families; adding or removing twice is fine', () => {
    assert.equal(helper('node1', ['addr', 'add', 'eth0', '172.31.255.150', 'fd00:31::150']).status, 0);
    assert.equal(helper('node1', ['addr', 'add', 'eth0', '172.31.255.150']).status, 0, 'already there');
    const listed = helper('node1', ['addr', 'list', 'eth0']);
    assert.equal(listed.status, 0);
    for (const a of ['172.31.255.2/24', '172.31.255.150/32', 'fd00:31::150/128', 'fd00:31::2/64']) assert.ok(listed.stdout.split('\n').includes(a), listed.stdout);
    const v6 = interfaceAddresses(topo.hosts.node1.ns).find((a) => a.local === 'fd00:31::150')!;
    assert.deepEqual([v6.nodad, v6.noprefixroute, v6.deprecated], [true, true, true], JSON.stringify(v6));

    // A del names host addresses only: node1's own 172.31.255.2/24 cannot be taken away by it.
    assert.equal(helper('node1', ['addr', 'del', 'eth0', '172.31.255.150', 'fd00:31::150', '172.31.255.2']).status, 0);
    assert.deepEqual(locals('node1').filter((a) => !a.startsWith('fe80')).sort(), ['172.31.255.2/24', 'fd00:31::2/64']);
    assert.equal(helper('node1', ['addr', 'del', 'eth0', '172.31.255.150']).status, 0, 'already gone');
  });

  test('exit codes: 2 for usage or a bad address (nothing changed), 3 for a missing interface', () => {
    const bad = helper('node1', ['addr', 'add', 'eth0', '172.31.255.151', '172.31.255.999']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not an IP address: "172\.31\.255\.999"/);
    assert.ok(!locals('node1').includes('172.31.255.151/32'), 'checked before any change');
    assert.equal(helper('node1', ['addr', 'frob', 'eth0']).status, 2);
    assert.equal(helper('node1', ['addr', 'list', 'eth0', 'extra']).status, 2);
    const missing = helper('node1', ['addr', 'list', 'nosuch0']);
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /interface nosuch0 does not exist/);
  });

  test('route get names the output interface (lo for a local address); 4 when there is no route', () => {
    assert.deepEqual([helper('node1', ['route', 'get', '172.31.255.9']).stdout, helper('node1', ['route', 'get', 'fd00:31::9']).stdout], ['eth0\n', 'eth0\n']);
    assert.equal(helper('node1', ['route', 'get', '172.31.255.2']).stdout, 'lo\n');
    const none = helper('node1', ['route', 'get', '10.99.1.1']);
    assert.equal(none.status, 4);
    assert.match(none.stderr, /no route to 10\.99\.1\.1/);
    assert.equal(helper('node1', ['route', 'get', 'eth0']).status, 2);
  });

  test('without CAP_NET_ADMIN: check and add fail with 1 and say why; list and route get still work', () => {
    for (const args of [['addr', 'check', 'eth0'], ['addr', 'add', 'eth0', '172.31.255.152']]) {
      const r = helper('node1', args, true);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /Operation not permitted \(needs CAP_NET_ADMIN\)/);
    }
    assert.equal(helper('node1', ['addr', 'check', 'eth0']).status, 0, 'with it, check passes and changes nothing');
    assert.ok(!locals('node1').includes('172.31.255.152/32'));
    assert.equal(helper('node1', ['addr', 'list', 'eth0'], true).status, 0);
    assert.equal(helper('node1', ['route', 'get', '172.31.255.9'], true).stdout, 'eth0\n');
  });

  test('--send-only receives nothing and still sends: a gratuitous ARP through it moves the client\'s entry', async () => {
    const wrapper = ['ip', 'netns', 'exec', topo.hosts.node1.ns];
    const listening = await PacketIO.open('eth0', { helperPath, wrapper });
    const sendOnly = await PacketIO.open('eth0', { helperPath, wrapper, sendOnly: true });
    opened.push(listening, sendOnly);
    topo.tryExec('client', 'arping', ['-c', '2', '-w', '2', '-I', 'eth0', '172.31.255.77']);
    await until('the listening helper hears the ARP requests', async () => (await listening.stats()).rx > 0, 5000);
    assert.equal((await sendOnly.stats()).rx, 0, 'the send-only helper saw none of them');

    topo.exec('client', 'ping', ['-c', '1', '-W', '1', topo.hosts.node1.v4]);
    assert.equal(topo.neighbourMac('client', topo.hosts.node1.v4), topo.hosts.node1.mac);
    const fake = '02:00:00:00:00:99';
    sendOnly.send(buildGratuitousArp(parseMac(fake)!, parseIp(topo.hosts.node1.v4)!));
    await waitFor('the client\'s entry follows the gratuitous ARP', () => (topo.neighbourMac('client', topo.hosts.node1.v4) === fake ? true : undefined), 5000);
    topo.exec('client', 'ip', ['neigh', 'flush', 'dev', 'eth0']);
  });
});
