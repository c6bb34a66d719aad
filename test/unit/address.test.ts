import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp, parseIp } from '../../server/src/core/address/ip';
import { formatCount, parsePool, parseSubnet, poolContains, poolSize, poolsOverlap, subnetContainsPool } from '../../server/src/core/address/pool';

describe('parseIp / formatIp', () => {
  it('round-trips IPv4 and IPv6 (RFC 5952 output)', () => {
    for (const [input, out] of [
      ['192.168.0.1', '192.168.0.1'], ['0.0.0.0', '0.0.0.0'], ['255.255.255.255', '255.255.255.255'],
      ['2001:db8::1', '2001:db8::1'], ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'], ['::', '::'], ['::1', '::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['fe80::', 'fe80::'], ['::ffff:10.0.0.1', '10.0.0.1'], ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ]) {
      const ip = parseIp(input);
      assert.ok(ip, input);
      assert.equal(formatIp(ip.family, ip.value), out);
    }
  });
  it('rejects what Go rejects', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '', 'a.b.c.d', ':::', '1::2::3', '2001:db8::g', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '1.2.3.-1']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });
});

describe('parsePool', () => {
  it('sizes single IPs, ranges and CIDRs like OpenELB', () => {
    const cases: [string, bigint, string][] = [
      ['10.0.0.5', 1n, 'ip'], ['10.0.0.1-10.0.0.10', 10n, 'range'], ['10.0.0.0/24', 256n, 'cidr'], ['10.0.0.0/8', 16777216n, 'cidr'],
      ['10.0.0.1/32', 1n, 'cidr'], ['2001:db8::/96', 1n << 32n, 'cidr'], ['2001:db8::/66', 1n << 62n, 'cidr'], ['2001:db8::1-2001:db8::1:0', 65536n, 'range'],
    ];
    for (const [text, size, form] of cases) {
      const { pool, problems } = parsePool(text);
      assert.deepEqual(problems, [], text);
      assert.equal(poolSize(pool!), size, text);
      assert.equal(pool!.form, form);
    }
  });
  it('reports each grammar problem with its rule id and position', () => {
    const code = (t: string) => parsePool(t).problems.map((p) => `${p.code}@${p.start}-${p.end}`);
    assert.deepEqual(code('10.0.0.9-10.0.0.1'), ['eip-address-range-reversed@0-17']);
    assert.deepEqual(code('10.0.0.1-10.0.0.999'), ['eip-address-syntax@9-19']);
    assert.deepEqual(code('10.0.0.1-::1'), ['eip-address-mixed-family@0-12']);
    assert.deepEqual(code('10.0.0.0/40'), ['eip-address-prefix@8-11']);
    assert.deepEqual(code('2001:db8::/129'), ['eip-address-prefix@10-14']);
    assert.deepEqual(code('2001:db8::/65'), ['eip-address-too-large@10-13']);
    assert.deepEqual(code('::/0'), ['eip-address-too-large@2-4']);
    assert.deepEqual(code('10.0.0.5/24'), ['eip-address-host-bits@0-8']);
    assert.deepEqual(code('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), ['eip-address-too-large@0-42']);
    assert.deepEqual(code('hello'), ['eip-address-syntax@0-5']);
  });
  it('keeps the whole IPv4 space and huge IPv6 pools as two bigints', () => {
    const { pool } = parsePool('0.0.0.0/0');
    assert.equal(poolSize(pool!), 1n << 32n);
    assert.equal(formatCount(1n << 62n), '2^62');
    assert.equal(formatCount(1234567n), '1,234,567');
  });
  it('overlap, containment and subnet tests', () => {
    const a = parsePool('10.0.0.0/24').pool!;
    const b = parsePool('10.0.0.255-10.0.1.5').pool!;
    const c = parsePool('10.0.1.6').pool!;
    const v6 = parsePool('::a00:0/120').pool!;
    assert.ok(poolsOverlap(a, b));
    assert.ok(!poolsOverlap(a, c));
    assert.ok(!poolsOverlap(a, v6), 'families never overlap');
    assert.ok(poolContains(a, parseIp('10.0.0.7')!));
    assert.ok(!poolContains(a, parseIp('10.0.1.0')!));
    assert.ok(subnetContainsPool({ family: 4, value: parseIp('10.0.0.9')!.value, prefix: 23 }, b));
    assert.ok(!subnetContainsPool({ family: 4, value: parseIp('10.0.0.9')!.value, prefix: 24 }, b));
  });
});

describe('parseSubnet', () => {
  it('reads interface addresses with their prefix, host bits allowed', () => {
    assert.deepEqual(parseSubnet('192.168.0.5/24'), { family: 4, value: parseIp('192.168.0.5')!.value, prefix: 24 });
    assert.equal(parseSubnet('fd00::5/64')?.prefix, 64);
    for (const bad of ['192.168.0.5', '192.168.0.5/33', '10.0.0.1/x', 'eth0/24', 'fd00::1/129']) assert.equal(parseSubnet(bad), undefined, bad);
  });
});
