// What the speaker exposes on /metrics (the format and the server are in ../../metrics).
import type { Server } from 'node:http';
import { escapeLabel as esc, MetricsText, serveMetrics } from '../../metrics/prometheus';
import type { AnnouncerCounters } from '../layer2/layer2Announcer';
import type { PeerStatusEntry } from './bgpDriver';

export interface SpeakerMetricsSource {
  node: string;
  layer2(): AnnouncerCounters;
  layer2Announced(): number;
  bgpPeers(): PeerStatusEntry[];
  bgpRoutes(): number;
  healthy(): boolean;
  /** Gossip membership, when on (gossipLink.ts). */
  gossip?(): { healthy: boolean; doubt: boolean; alive: number; suspect: number; dead: number; badMac: number; dropped: number };
}

const STATES = ['IDLE', 'CONNECT', 'ACTIVE', 'OPENSENT', 'OPENCONFIRM', 'ESTABLISHED'];

export function renderSpeakerMetrics(src: SpeakerMetricsSource): string {
  const m = new MetricsText();
  const family = m.family.bind(m);
  const n = `node="${esc(src.node)}"`;
  const c = src.layer2();
  family('openelb_layer2_requests_total', 'counter', 'ARP requests and Neighbor Solicitations seen.',
    [[`{${n},protocol="arp"}`, c.arpRequestsSeen], [`{${n},protocol="ndp"}`, c.neighborSolicitationsSeen]]);
  family('openelb_layer2_replies_total', 'counter', 'ARP replies and Neighbor Advertisements sent for announced addresses.',
    [[`{${n},protocol="arp"}`, c.arpRepliesSent], [`{${n},protocol="ndp"}`, c.neighborAdvertisementsSent]]);
  family('openelb_layer2_gratuitous_total', 'counter', 'Gratuitous ARP / unsolicited NA sent on takeover.', [[`{${n}}`, c.gratuitousSent]]);
  family('openelb_layer2_rate_limited_total', 'counter', 'Requests not answered because of the reply rate limits.', [[`{${n}}`, c.rateLimited]]);
  family('openelb_layer2_announced', 'gauge', 'Addresses this node answers for.', [[`{${n}}`, src.layer2Announced()]]);
  const peers = src.bgpPeers();
  const peerLabel = (p: PeerStatusEntry): string => `${n},peer="${esc(p.peer)}",neighbor="${esc(p.neighbor)}"`;
  family('openelb_bgp_session_state', 'gauge', '1 for the current state of the BGP session with each peer.',
    peers.flatMap((p) => STATES.map((s): [string, number] => [`{${peerLabel(p)},state="${s}"}`, p.status.peerState.sessionState === s ? 1 : 0])));
  family('openelb_bgp_session_up', 'gauge', '1 while the session is Established.',
    peers.map((p) => [`{${peerLabel(p)}}`, p.status.peerState.sessionState === 'ESTABLISHED' ? 1 : 0]));
  family('openelb_bgp_updates_sent_total', 'counter', 'BGP UPDATE messages sent to each peer.',
    peers.map((p) => [`{${peerLabel(p)}}`, Number(p.status.peerState.messages.sent.update)]));
  family('openelb_bgp_routes_announced', 'gauge', 'Host routes this node originates.', [[`{${n}}`, src.bgpRoutes()]]);
  const g = src.gossip?.();
  if (g) {
    family('openelb_gossip_healthy', 'gauge', '1 while gossip membership decides liveness here (valid datagrams arrive).', [[`{${n}}`, g.healthy ? 1 : 0]]);
    family('openelb_gossip_doubt', 'gauge', '1 while this node is in doubt (watching the speaker Leases).', [[`{${n}}`, g.doubt ? 1 : 0]]);
    family('openelb_gossip_members', 'gauge', 'Other members by gossip state.',
      (['alive', 'suspect', 'dead'] as const).map((st): [string, number] => [`{${n},state="${st}"}`, g[st]]));
    family('openelb_gossip_bad_mac_total', 'counter', 'Datagrams dropped for a bad MAC (wrong key, or not ours).', [[`{${n}}`, g.badMac]]);
    family('openelb_gossip_dropped_total', 'counter', 'Datagrams dropped because too many were in flight.', [[`{${n}}`, g.dropped]]);
  }
  return m.toString();
}

export function serveSpeakerMetrics(src: SpeakerMetricsSource, port: number, host = '0.0.0.0'): Promise<Server> {
  return serveMetrics(() => renderSpeakerMetrics(src), () => src.healthy(), port, host);
}
