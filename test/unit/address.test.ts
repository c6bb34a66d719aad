import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIPv4, isIPv6 } from 'node:net';
import { prng } from '../harness/support/prng';
import { formatIp, parseIp } from '@openelb/core/address/ip';
import { formatCount, parsePool, parsePoolGeneral, parseSubnet, poolContains, poolSize, poolsOverlap, subnetContainsPool } from '@openelb/core/address/pool';

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

describe('parseIp against Node (differential, seeded)', () => {
  // Node's net.isIPv4/isIPv6 and its URL parser (which prints IPv6 hosts in RFC 5952 form) are
  // independent implementations of the same grammar. Ours differs only where Go does: no zone
  // (`%eth0`), and an IPv4-mapped address counts as IPv4.
  const rnd = prng(20261126);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const hex = () => Math.floor(rnd() * 65536).toString(16);
  function randomV6(): string {
    const groups = Array.from({ length: 8 }, () => (rnd() < 0.4 ? '0' : hex()));
    if (rnd() < 0.2) groups.splice(6, 2, `${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.1.${Math.floor(rnd() * 256)}`);
    let text = groups.join(':');
    if (rnd() < 0.6) {
      const parts = text.split(':');
      const at = Math.floor(rnd() * parts.length);
      const len = 1 + Math.floor(rnd() * Math.min(4, parts.length - at));
      text = `${parts.slice(0, at).join(':')}::${parts.slice(at + len).join(':')}`;
    }
    return rnd() < 0.3 ? text.toUpperCase() : text;
  }
  function mutate(s: string): string {
    const i = Math.floor(rnd() * (s.length + 1));
    switch (Math.floor(rnd() * 4)) {
      case 0: return s.slice(0, i) + pick([':', '.', '0', 'f', 'g', '::', '1']) + s.slice(i);
      case 1: return s.slice(0, i) + s.slice(i + 1);
      case 2: return s.slice(0, i) + s.slice(i + 1 + Math.floor(rnd() * 3));
      default: return s + pick([':', ':1', '.1', '::']);
    }
  }
  it('agrees on 20,000 random and mutated addresses', () => {
    for (let n = 0; n < 20_000; n++) {
      const v4 = `${Math.floor(rnd() * 300)}.${Math.floor(rnd() * 256)}.${pick(['0', '00', '7', '255'])}.${Math.floor(rnd() * 256)}`;
      const base = rnd() < 0.3 ? v4 : randomV6();
      const text = rnd() < 0.5 ? base : mutate(base);
      const ours = parseIp(text);
      const family = isIPv4(text) ? 4 : isIPv6(text) ? 6 : 0;
      assert.equal(ours !== undefined, family !== 0, `validity of '${text}'`);
      if (!ours) continue;
      if (family === 4) {
        assert.equal(formatIp(4, ours.value), text, text);
      } else {
        const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
        if (mapped) {
          assert.equal(ours.family, 4, text);
          assert.equal(ours.value, (BigInt(parseInt(mapped[1], 16)) << 16n) | BigInt(parseInt(mapped[2], 16)), text);
        } else assert.equal(formatIp(6, ours.value), canonical, text);
      }
    }
  });
});

describe('parsePool fast IPv4 path', () => {
  it('gives the same result as the general path on 20,000 random pool texts', () => {
    const rnd = prng(4242);
    const octet = () => String([0, 1, 7, 10, 255, 256, 300][Math.floor(rnd() * 7)] ?? Math.floor(rnd() * 256));
    const ip = () => (rnd() < 0.05 ? '1.2.3' : `${octet()}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${rnd() < 0.1 ? '00' : octet()}`);
    for (let n = 0; n < 20_000; n++) {
      const form = Math.floor(rnd() * 4);
      const text = form === 0 ? ip()
        : form === 1 ? `${ip()}/${[0, 8, 16, 24, 28, 31, 32, 33, '08', '', 'x', 100][Math.floor(rnd() * 12)]}`
          : form === 2 ? `${ip()}-${ip()}`
            : `${ip()}${['-', '/', '--', '/24-'][Math.floor(rnd() * 4)]}${ip()}`;
      assert.deepEqual(parsePool(text), parsePoolGeneral(text), text);
    }
  });
});
