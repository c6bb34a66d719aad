// Sends hand-made Ethernet frames from a host's namespace through an AF_PACKET socket
// (python3): VLAN-tagged or oversize frames, which neither arping nor the packet helper
// (it refuses frames over 1518 bytes) can produce.
import { execFileSync } from 'node:child_process';
import type { HostName, Topology } from './topology';

const SENDER = [
  'import socket, sys',
  's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
  's.bind((sys.argv[1], 0))',
  'for line in sys.stdin.read().split():',
  '    s.send(bytes.fromhex(line))',
].join('\n');

/** Sends `frames` in order on `dev` in `host`'s namespace; throws with python's error. */
export function sendRawFrames(topo: Topology, host: HostName, frames: Buffer[], dev = 'eth0'): void {
  try {
    execFileSync('ip', ['netns', 'exec', topo.hosts[host].ns, 'python3', '-c', SENDER, dev], {
      input: frames.map((f) => f.toString('hex')).join('\n'), stdio: ['pipe', 'ignore', 'pipe'],
    });
  } catch (err) {
    throw new Error(`sending raw frames from ${host}: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || String(err)}`);
  }
}

/** `frame` with an 802.1Q tag (TPID 0x8100, the given VLAN ID) inserted after the MAC addresses. */
export function withVlanTag(frame: Buffer, vlanId: number): Buffer {
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(0x8100, 0);
  tag.writeUInt16BE(vlanId & 0x0fff, 2);
  return Buffer.concat([frame.subarray(0, 12), tag, frame.subarray(12)]);
}
