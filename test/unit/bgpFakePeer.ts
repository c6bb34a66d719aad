// A PeerSession on a fake socket, for the BGP unit tests that need to see exactly what the
// session writes and to control backpressure: write() returns false while `full` is set, and
// drain() empties it and emits 'drain', as a real socket would.
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import assert from 'node:assert/strict';
import { parseIp } from '@openelb/core/address/ip';
import { PeerConfig, PeerSession } from '../../runtime/src/speaker/bgp/peerSession';
import { Framer } from '../../runtime/src/speaker/bgp/framer';
import { DecodedMessage, decodeMessage, encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { Capabilities, makeOpen } from '../../runtime/src/speaker/bgp/open';
import { parsePrefix } from '../../runtime/src/speaker/bgp/prefix';
import { Route, routeKey } from '../../runtime/src/speaker/bgp/routes';

export class FakeSocket extends EventEmitter {
  readonly written: Buffer[] = [];
  full = false;
  destroyed = false;
  ended = false;
  remoteAddress = '10.0.0.1';
  setNoDelay(): this { return this; }
  write(b: Uint8Array): boolean { this.written.push(Buffer.from(b)); return !this.full; }
  end(): this { this.ended = true; return this; }
  destroy(): this { this.destroyed = true; return this; }
  drain(): void { this.full = false; this.emit('drain'); }
  /** Everything written so far, decoded. */
  messages(): DecodedMessage[] {
    const { messages } = new Framer().push(Buffer.concat(this.written));
    return messages.map((m) => decodeMessage(m));
  }
  updates(): DecodedMessage[] { return this.messages().filter((m) => m.type === 'update'); }
  /** The peer sends us these messages. */
  receive(...ms: Parameters<typeof encodeMessage>[0][]): void {
    for (const m of ms) this.emit('data', encodeMessage(m));
  }
}

export const OUR_CAPS: Capabilities = {
  multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, fourOctetAs: 65001, unknown: [],
};

export function route(prefix: string, nextHop: string): Route {
  return { prefix: parsePrefix(prefix)!, nextHop: parseIp(nextHop)! };
}

/** n IPv4 host routes 10.128.x.y/32 via `nextHop`. */
export function hostRoutes(n: number, nextHop = '192.0.2.1', base = 0x0a800000): Route[] {
  return Array.from({ length: n }, (_, i) => ({ prefix: { family: 4 as const, value: BigInt(base + i), length: 32 }, nextHop: parseIp(nextHop)! }));
}

export const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export interface FakePeer {
  session: PeerSession;
  sock: FakeSocket;
  /** Our RIB, as BgpSpeaker keeps it: announce() also offers the route to the session. */
  rib: Map<string, Route>;
  announce(r: Route): void;
}

/** A passive session brought to Established by a peer with `peerCaps`. */
export async function establishedPeer(cfg: Partial<PeerConfig> = {}, peerCaps: Partial<Capabilities> = {}, caps = OUR_CAPS, initial: Route[] = []): Promise<FakePeer> {
  const rib = new Map<string, Route>(initial.map((r) => [routeKey(r.prefix), r]));
  const session = new PeerSession({ neighborAddress: '10.0.0.1', peerAs: 65000, passive: true, holdTime: 90, ...cfg },
    { localAs: 65001, routerId: 0x0a000002, caps, routes: () => rib.values(), log: () => {} });
  session.start();
  const sock = new FakeSocket();
  assert.ok(session.accept(sock as unknown as net.Socket), 'session accepts the fake connection');
  const theirs: Capabilities = { multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, fourOctetAs: 65000, unknown: [], ...peerCaps };
  sock.receive({ type: 'open', open: makeOpen(65000, 90, 0x0a000001, theirs) }, { type: 'keepalive' });
  assert.equal(session.fsm.state, 'Established');
  await nextTurn();
  return { session, sock, rib, announce: (r) => { rib.set(routeKey(r.prefix), r); session.announce(r); } };
}
