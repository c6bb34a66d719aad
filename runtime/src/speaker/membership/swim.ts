// SWIM membership as a pure state machine: `now` and datagrams in, datagrams and membership
// changes out; no sockets, timers or clock reads (gossipNode.ts does those). Every period it
// pings one member (round robin over a shuffled list); with no ack after probeTimeout it asks
// `indirectChecks` others to ping it; with no ack by the end of the period it suspects it. A
// suspicion turns into dead after a Lifeguard timeout (log N scaled, shortened by independent
// confirmations) unless the member refutes it with a higher incarnation. Updates ride on every
// datagram (piggyback) and on gossip rounds to a few random members. Every timestamp is local.
import { DEFAULT_CONFIG, retransmitLimit, suspicionTimeout, syncScale, type MembershipConfig } from './config';
import { Broadcasts } from './broadcasts';
import { MemberTable, type Change, type Member } from './members';
import { chunkUpdates, decodeDatagram, encodeDatagram, type Body, type Datagram, type Update } from './messages';
import { pickRandom, shuffled } from './pick';
import { ReplayWindow } from './replayWindow';
import type { Seal } from './seal';

export type Output = { type: 'send'; to: string; bytes: Uint8Array } | { type: 'change'; change: Change };

export interface SwimOptions {
  self: string;
  /** Our first incarnation: higher than any of a previous life's (the I/O layer uses the start
   * time in ms: compared only with this node's own earlier values, never with a peer's clock). */
  incarnation: number;
  seal: Seal;
  /** [0, 1): shuffles, random members, nonces. Seeded in tests. */
  random: () => number;
  now: number;
  config?: Partial<MembershipConfig>;
}

export interface SwimStats {
  sent: number; received: number; badMac: number; replayed: number; malformed: number;
  misdirected: number; refuted: number;
  /** Probes not judged because we woke too late to judge them (local slowness). */
  lateProbes: number;
}

const MAX_AWARENESS = 8;

/** `asked`: members asked to probe the target indirectly (0: nobody else to ask). */
interface Probe { target: string; seq: number; start: number; indirect: boolean; acked: boolean; asked: number }
interface Relay { to: string; seq: number; expires: number }

export class Swim {
  readonly self: string;
  readonly config: MembershipConfig;
  readonly stats: SwimStats = { sent: 0, received: 0, badMac: 0, replayed: 0, malformed: 0, misdirected: 0, refuted: 0, lateProbes: 0 };
  private inc: number;
  private readonly table = new MemberTable();
  private readonly broadcasts = new Broadcasts();
  private readonly replay = new ReplayWindow();
  private readonly suspects = new Set<Member>();
  private readonly relays = new Map<number, Relay>();
  private names: string[] = [];
  private order: string[] = [];
  private orderAt = 0;
  private probe?: Probe;
  private nextProbeAt: number;
  private nextGossipAt: number;
  private nextJoinAt: number;
  private nextReconnectAt: number;
  private nextSyncAt: number;
  private readonly startedAt: number;
  private lastValidAt = -Infinity;
  private seq = 0;
  private probeSeq = 0;
  private nonce: number;
  private synced = false;
  private leftAt?: number;
  private out: Output[] = [];
  /** Lifeguard's local health: 0 is healthy; each failed probe or refutation of ourselves adds
   * one, each answered probe takes one off. Probe timeout and period stretch by (1 + awareness),
   * so a slow member (busy CPU, lost packets at home) suspects others less. */
  private awareness = 0;

  constructor(private readonly o: SwimOptions) {
    this.self = o.self;
    this.inc = o.incarnation;
    this.config = { ...DEFAULT_CONFIG, ...o.config };
    this.startedAt = o.now;
    this.nextProbeAt = o.now + Math.floor(o.random() * this.config.probeIntervalMs);
    this.nextGossipAt = o.now;
    this.nextJoinAt = o.now;
    this.nextReconnectAt = o.now + this.config.reconnectIntervalMs;
    this.nextSyncAt = o.now + this.config.syncIntervalMs * (0.5 + o.random());
    this.nonce = Math.floor(o.random() * 2 ** 48);
    // Probe numbers start at random, so an ack captured in an earlier life never matches one of ours.
    this.probeSeq = Math.floor(o.random() * 2 ** 48);
    this.broadcasts.push({ state: 'alive', node: this.self, inc: this.inc });
  }

  get incarnation(): number { return this.inc; }
  get isSynced(): boolean { return this.synced; }
  get localHealth(): number { return this.awareness; }
  member(node: string): Readonly<Member> | undefined { return this.table.get(node); }
  members(): Readonly<Member>[] { return [...this.table.all()]; }

  /** Ourselves and every member heard from (or of) and not known dead or left: who may answer
   * for addresses. A member only Kubernetes knows (its speaker never spoke) is not live. */
  live(): string[] {
    const out = this.leftAt === undefined ? [this.self] : [];
    for (const m of this.table.all()) if (m.heard && (m.state === 'alive' || m.state === 'suspect')) out.push(m.node);
    return out.sort();
  }

  /** Gossip works here: a valid datagram arrived within healthWindowMs (or we are alone). */
  healthy(now: number): boolean {
    return this.table.size === 0 || now - this.lastValidAt < this.config.healthWindowMs;
  }

  /** The Kubernetes view: node name → "ip:port" of every node with a speaker (self is ignored). */
  setPeers(now: number, peers: ReadonlyMap<string, string>): Output[] {
    const others = new Map([...peers].filter(([n]) => n !== this.self));
    const { removed } = this.table.setEligible(now, others);
    for (const n of removed) { this.replay.forget(n); for (const s of this.suspects) if (s.node === n) this.suspects.delete(s); }
    this.names = [...others.keys()];
    this.order = [];
    return this.flush();
  }

  /** When the I/O layer should call tick() next (local ms). */
  nextWakeAt(): number {
    if (this.leftAt !== undefined) return Infinity;
    let t = this.nextProbeAt;
    if (this.probe && !this.probe.acked && !this.probe.indirect) t = Math.min(t, this.probe.start + this.probeTimeout());
    if (this.broadcasts.pending > 0) t = Math.min(t, this.nextGossipAt);
    if (!this.synced) t = Math.min(t, this.nextJoinAt);
    t = Math.min(t, this.nextReconnectAt, this.nextSyncAt);
    for (const s of this.suspects) t = Math.min(t, s.suspicion?.deadline ?? Infinity);
    return t;
  }

  tick(now: number): Output[] {
    if (this.leftAt !== undefined) return [];
    this.joinIfNeeded(now);
    if (now >= this.nextReconnectAt) this.reconnect(now);
    if (now >= this.nextSyncAt) this.syncWithOne(now);
    this.expireSuspicions(now);
    const p = this.probe;
    if (p && !p.acked && !p.indirect && now >= p.start + this.probeTimeout()) this.askIndirect(p);
    if (now >= this.nextProbeAt) {
      if (p) this.judge(now, p, now - this.nextProbeAt);
      this.probe = undefined;
      this.nextProbeAt = Math.max(this.nextProbeAt + this.config.probeIntervalMs * (1 + this.awareness), now);
      this.startProbe(now);
    }
    if (this.broadcasts.pending > 0 && now >= this.nextGossipAt) this.gossipRound(now);
    for (const [seq, r] of this.relays) if (r.expires <= now) this.relays.delete(seq);
    return this.flush();
  }

  /** A clean stop: tell every member directly (so they know at once) and stop. */
  leave(now: number): Output[] {
    if (this.leftAt !== undefined) return [];
    const bye: Update = { state: 'left', node: this.self, inc: this.inc };
    for (const m of this.table.all()) {
      if (m.state === 'alive' || m.state === 'suspect') this.send(m.addr, { type: 'gossip' }, [bye], true);
    }
    this.leftAt = now;
    return this.flush();
  }

  receive(now: number, fromAddr: string, bytes: Uint8Array): Output[] {
    if (this.leftAt !== undefined) return [];
    const payload = this.o.seal.open(bytes);
    if (!payload) { this.stats.badMac++; return []; }
    const d = decodeDatagram(payload);
    if (!d) { this.stats.malformed++; return []; }
    if (d.from === this.self) { this.stats.misdirected++; return []; }
    if (!this.replay.accept(d.from, d.inc, d.seq)) { this.stats.replayed++; return []; }
    this.stats.received++;
    this.lastValidAt = now;
    this.heardFrom(now, fromAddr, d);
    this.onBody(now, fromAddr, d);
    for (const u of d.updates) this.onUpdate(now, u, false);
    return this.flush();
  }

  // --- receiving -----------------------------------------------------------------------------

  /** A datagram from a member in a newer life than we hold is proof it is alive. One from a
   * member we suspect or hold dead in its current life is answered with that claim, so it
   * refutes at once (Lifeguard's buddy system; also how two sides of a healed partition meet). */
  private heardFrom(now: number, fromAddr: string, d: Datagram): void {
    const m = this.table.get(d.from);
    if (!m) return;
    if (d.inc > m.inc) this.onUpdate(now, { state: 'alive', node: d.from, inc: d.inc }, true);
    else if (m.state !== 'alive') this.send(fromAddr, { type: 'gossip' }, [{ state: m.state, node: m.node, inc: m.inc }]);
  }

  private onBody(now: number, fromAddr: string, d: Datagram): void {
    const b = d.body;
    switch (b.type) {
      case 'ping':
        if (b.target !== this.self) { this.stats.misdirected++; return; }
        this.send(fromAddr, { type: 'ack', seq: b.seq });
        return;
      case 'ack': return this.onAck(b.seq);
      case 'ping-req': {
        const t = this.table.get(b.target);
        if (!t) return;
        const seq = ++this.probeSeq;
        this.relays.set(seq, { to: fromAddr, seq: b.seq, expires: now + this.config.probeIntervalMs });
        this.send(t.addr, { type: 'ping', seq, target: t.node });
        return;
      }
      case 'join': return this.answerJoin(fromAddr, b.nonce);
      case 'join-ack':
        if (b.nonce !== this.nonce) { this.stats.replayed++; return; }
        this.synced = true;
        for (const u of b.members) this.onUpdate(now, u, true);
        return;
      case 'gossip': return;
    }
  }

  private onAck(seq: number): void {
    if (this.probe?.seq === seq) { this.probe.acked = true; return; }
    const r = this.relays.get(seq);
    if (r) { this.relays.delete(seq); this.send(r.to, { type: 'ack', seq: r.seq }); }
  }

  /** Applies one claim. Before the join answer arrived only alive claims count (replay safety). */
  private onUpdate(now: number, u: Update, trusted: boolean): void {
    if (u.node === this.self) return this.aboutSelf(u);
    if (!this.synced && !trusted && u.state !== 'alive') return;
    // Incarnation 0 is "never heard of": nobody can claim anything about that life.
    if (u.inc === 0) return;
    const m = this.table.get(u.node);
    if (!m) return;
    const confirmations = m.suspicion?.confirmers.size ?? 0;
    const newer = u.inc > m.inc;
    const change = this.table.apply(now, u);
    if (change) this.out.push({ type: 'change', change });
    if (m.state === 'suspect') this.trackSuspicion(m);
    else this.suspects.delete(m);
    const confirmed = (m.suspicion?.confirmers.size ?? 0) > confirmations && confirmations <= this.config.indirectChecks;
    if (change || confirmed || newer) this.broadcasts.push(u);
  }

  /** Refutes a suspect/dead/left claim about our current (or a later) life; one about an older
   * life means some members still hold that one, so we announce the current life again. */
  private aboutSelf(u: Update): void {
    if (u.state === 'alive') return;
    if (u.inc < this.inc) { this.broadcasts.push({ state: 'alive', node: this.self, inc: this.inc }); return; }
    this.inc = u.inc + 1;
    this.stats.refuted++;
    this.awareness = Math.min(MAX_AWARENESS, this.awareness + 1);
    this.broadcasts.push({ state: 'alive', node: this.self, inc: this.inc });
  }

  private answerJoin(to: string, nonce: number): void {
    const known: Update[] = [{ state: 'alive', node: this.self, inc: this.inc }];
    for (const m of this.table.all()) if (m.heard || m.state !== 'alive') known.push({ state: m.state, node: m.node, inc: m.inc });
    const empty = encodeDatagram({ from: this.self, inc: this.inc, seq: 2 ** 53 - 1, body: { type: 'join-ack', nonce, part: 9999, members: [] }, updates: [] });
    const parts = chunkUpdates(known, this.config.maxDatagram - this.o.seal.overhead - empty.length);
    parts.forEach((members, part) => this.send(to, { type: 'join-ack', nonce, part, members }, [], true));
  }

  // --- probing, suspicion, gossip ------------------------------------------------------------

  private startProbe(now: number): void {
    const target = this.nextTarget();
    if (!target) return;
    const seq = ++this.probeSeq;
    this.probe = { target: target.node, seq, start: now, indirect: false, acked: false, asked: 0 };
    // Lifeguard's buddy system: a suspected member hears it from whoever probes it, at once.
    const buddy: Update[] = target.state === 'suspect' ? [{ state: 'suspect', node: target.node, inc: target.inc }] : [];
    this.send(target.addr, { type: 'ping', seq, target: target.node }, buddy);
  }

  /** Round robin over a list shuffled once per pass; dead and left members are skipped. */
  private nextTarget(): Member | undefined {
    for (let tries = 0; tries <= this.names.length; tries++) {
      if (this.orderAt >= this.order.length) { this.order = shuffled(this.names, this.o.random); this.orderAt = 0; }
      const m = this.table.get(this.order[this.orderAt++]);
      if (m && (m.state === 'alive' || m.state === 'suspect')) return m;
    }
    return undefined;
  }

  private probeTimeout(): number { return this.config.probeTimeoutMs * (1 + this.awareness); }

  /** Ends a probe. `lateMs`: how late we are ending it. A member woken that late was itself not
   * running (CPU starved, paused): the missing ack says nothing about the target, so it only
   * raises our own awareness instead of suspecting it. */
  private judge(now: number, p: Probe, lateMs: number): void {
    if (p.acked) { this.awareness = Math.max(0, this.awareness - 1); return; }
    // With nobody else to ask (two members), a missing ack says nothing about our own health;
    // counting it would stretch the detection of the only peer's death up to 9 times.
    if (p.asked > 0) this.awareness = Math.min(MAX_AWARENESS, this.awareness + 1);
    if (lateMs > this.config.probeTimeoutMs) { this.stats.lateProbes++; return; }
    this.suspect(now, p.target, this.self);
  }

  private askIndirect(p: Probe): void {
    p.indirect = true;
    for (const m of this.randomMembers(this.config.indirectChecks, (x) => x.node !== p.target && x.state === 'alive')) {
      this.send(m.addr, { type: 'ping-req', seq: p.seq, target: p.target });
      p.asked++;
    }
  }

  private suspect(now: number, node: string, by: string): void {
    const m = this.table.get(node);
    // A member never heard from stays unheard (not live) rather than suspected at incarnation 0.
    if (!m || !m.heard || m.state === 'dead' || m.state === 'left') return;
    this.onUpdate(now, { state: 'suspect', node, inc: m.inc, by }, true);
  }

  private trackSuspicion(m: Member): void {
    const s = m.suspicion;
    if (!s) return;
    s.deadline = s.start + suspicionTimeout(this.config, this.table.size + 1, Math.max(0, s.confirmers.size - 1));
    this.suspects.add(m);
  }

  private expireSuspicions(now: number): void {
    for (const m of [...this.suspects]) {
      if ((m.suspicion?.deadline ?? Infinity) > now) continue;
      this.suspects.delete(m);
      this.onUpdate(now, { state: 'dead', node: m.node, inc: m.inc, by: this.self }, true);
    }
  }

  private gossipRound(now: number): void {
    this.nextGossipAt = now + this.config.gossipIntervalMs;
    const recent = (m: Member) => m.state === 'alive' || m.state === 'suspect' || now - m.since < this.config.deadGossipMs;
    for (const m of this.randomMembers(this.config.gossipFanout, recent)) this.send(m.addr, { type: 'gossip' });
  }

  private joinIfNeeded(now: number): void {
    if (this.synced || now < this.nextJoinAt) return;
    if (this.table.size === 0 || now - this.startedAt >= this.config.healthWindowMs) { this.synced = true; return; }
    this.nextJoinAt = now + 5 * this.config.probeIntervalMs;
    for (const m of this.randomMembers(this.config.joinFanout, () => true)) this.send(m.addr, { type: 'join', nonce: this.nonce });
  }

  /** Asks one member we hold dead whether it is back: after a partition heals, neither side
   * would otherwise contact the other (dead members are not probed). Its answer, or our join
   * reaching it, carries the claims each side then refutes. */
  private reconnect(now: number): void {
    this.nextReconnectAt = now + this.config.reconnectIntervalMs;
    const dead: Member[] = [];
    for (const m of this.table.all()) if (m.state === 'dead') dead.push(m);
    if (dead.length) this.send(dead[Math.floor(this.o.random() * dead.length)].addr, { type: 'join', nonce: this.nonce });
  }

  /** Anti-entropy: now and then, take a random member's whole table (its join answer), so an
   * update that gossip missed here (it reaches each member with high probability, not surely)
   * is repaired within syncIntervalMs. */
  private syncWithOne(now: number): void {
    this.nextSyncAt = now + syncScale(this.table.size + 1) * this.config.syncIntervalMs * (0.5 + this.o.random());
    for (const m of this.randomMembers(1, (x) => x.state === 'alive')) this.send(m.addr, { type: 'join', nonce: this.nonce });
  }

  // --- helpers -------------------------------------------------------------------------------

  private randomMembers(k: number, ok: (m: Member) => boolean): Member[] {
    return pickRandom(this.names, k, (n) => { const m = this.table.get(n); return m && ok(m) ? m : undefined; }, this.o.random);
  }

  /** Sends `body` to `to` with `first`, then as many pending updates as fit (none when `only`). */
  private send(to: string, body: Body, first: Update[] = [], only = false): void {
    const head: Datagram = { from: this.self, inc: this.inc, seq: ++this.seq, body, updates: first };
    const room = this.config.maxDatagram - this.o.seal.overhead - encodeDatagram(head).length;
    if (!only) head.updates = [...first, ...this.broadcasts.take(room, retransmitLimit(this.config, this.table.size + 1))];
    this.stats.sent++;
    this.out.push({ type: 'send', to, bytes: this.o.seal.seal(encodeDatagram(head)) });
  }

  private flush(): Output[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}
