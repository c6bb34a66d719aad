// A bounded ARP request flood from a host's namespace, sent through the packet
// helper (arping cannot go faster than one request per second).
import { parseIp } from '@openelb/core/address/ip';
import { ARP_REQUEST, buildArp } from '../../../runtime/src/speaker/layer2/arp';
import { type HelperStats, PacketIO } from '../../../runtime/src/speaker/layer2/packetIO';
import { BROADCAST_MAC, parseMac } from '../../../runtime/src/speaker/layer2/wire';
import type { HostName, Topology } from './topology';

/**
 * Sends ARP requests for `target` from 256 forged askers, as fast as the helper
 * takes them, for `durationMs`. Returns the flooding helper's counters.
 */
export async function floodArp(topo: Topology, from: HostName, helperPath: string, target: string, durationMs: number): Promise<HelperStats & { seconds: number }> {
  const frames = Array.from({ length: 256 }, (_, i) => {
    const mac = parseMac(`02:ff:00:00:00:${i.toString(16).padStart(2, '0')}`)!;
    return buildArp({
      ethDest: BROADCAST_MAC, ethSource: mac, op: ARP_REQUEST, senderMac: mac,
      senderIp: parseIp(`172.31.254.${i}`)!, targetMac: Buffer.alloc(6), targetIp: parseIp(target)!,
    });
  });
  const flooder = await PacketIO.open('eth0', { helperPath, wrapper: ['ip', 'netns', 'exec', topo.hosts[from].ns] });
  const t0 = Date.now();
  try {
    while (Date.now() - t0 < durationMs) {
      for (const f of frames) flooder.send(f);
      await new Promise((r) => setImmediate(r));
    }
    const stats = await flooder.stats(10000);
    return { ...stats, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await flooder.close();
  }
}
