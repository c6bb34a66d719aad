// The one shape the speaker loop drives each protocol through, and the adapters that fit the
// three drivers (layer2Driver.ts, vipDriver.ts, bgpDriver.ts) to it; their internals stay theirs.
import { layer2Choices, routeLookup } from '../plan/interfaceChoice';
import type { DriverState, Observation } from '../plan/snapshot';
import type { BgpWant, Layer2Want, VipWant } from '../plan/speakerPlan';
import { interfaceNames, vipInterfaces } from '../plan/vip';
import type { BgpDriver } from './bgpDriver';
import type { Layer2Driver } from './layer2Driver';
import type { VipDriver } from './vipDriver';

export interface ProtocolDriver<Want> {
  /** Readies what the observation may ask for before the plan (opens or checks the Eips'
   * interfaces, so a takeover costs no helper start); what failed shows in state(). */
  ensure(seen: Observation): Promise<void>;
  /** What it can serve now: goes into the snapshot the plan reads. */
  state(): DriverState;
  /** Serves exactly `want`; returns what changed, one log line each. */
  apply(want: Want): Promise<string[]>;
  /** Stops serving: withdraws, removes its host addresses, closes helpers and sessions. */
  stop(): Promise<void>;
  /** Tells the neighbours again what it serves, as at a takeover (after a silence: others may
   * have taken its addresses meanwhile); one log line each. */
  reannounce?(): string[];
}

export interface SpeakerDrivers {
  layer2: ProtocolDriver<Layer2Want>;
  vip: ProtocolDriver<VipWant>;
  bgp: ProtocolDriver<BgpWant>;
}

const NONE: DriverState = { unusable: new Map(), hostAddresses: [] };

export function layer2Protocol(d: Layer2Driver): ProtocolDriver<Layer2Want> {
  return {
    ensure: (seen) => d.ensure(interfaceNames(layer2Choices(seen))),
    state: () => ({ unusable: d.unusable(), hostAddresses: [] }),
    apply: async (want) => {
      const { announced, withdrawn } = d.apply(want);
      const on = d.announcedAddresses();
      return [...announced.map((ip) => `layer2: announcing ${ip} on ${on.get(ip)}`), ...withdrawn.map((ip) => `layer2: withdrew ${ip}`)];
    },
    stop: () => d.stop(),
    reannounce: () => d.reannounce().map((ip) => `layer2: announcing ${ip} again (heartbeats are back)`),
  };
}

export function vipProtocol(d: VipDriver): ProtocolDriver<VipWant> {
  return {
    ensure: (seen) => d.ensure(interfaceNames(vipInterfaces(seen.eips, seen.nics, routeLookup(seen)))),
    state: () => ({ unusable: d.unusable(), hostAddresses: [...d.holdings().keys()] }),
    apply: async (want) => {
      const { add, remove } = await d.apply(want.placements, want.pools);
      return [...add.map((p) => `vip: holding ${p.ip} on ${p.ifname}`), ...remove.map((p) => `vip: released ${p.ip} from ${p.ifname}`)];
    },
    stop: () => d.stop(),
    reannounce: () => d.reannounce().map((p) => `vip: announcing ${p.ip} on ${p.ifname} again (heartbeats are back)`),
  };
}

export function bgpProtocol(d: BgpDriver): ProtocolDriver<BgpWant> {
  return {
    // Sessions start in apply(): after layer2 and vip, which a takeover waits for.
    ensure: async () => {},
    state: () => NONE,
    apply: async (want) => {
      await d.configure(want.sessions);
      const { announced, withdrawn } = d.apply(want.routes);
      return [...announced.map((p) => `bgp: announcing ${p} via ${want.routes.get(p)}`), ...withdrawn.map((p) => `bgp: withdrew ${p}`)];
    },
    stop: () => d.stop(),
  };
}
