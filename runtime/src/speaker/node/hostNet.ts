// The node's view of its own network (I/O): interfaces from os.networkInterfaces() (which sees
// the network namespace the process runs in) and the interface of the route to an address.
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { findPacketHelper } from '../layer2/helperPath';
import { nicsFrom, type Nic } from './interfaces';

export function readNics(): Nic[] {
  return nicsFrom(networkInterfaces());
}

/**
 * The device of the route to `ip`, from the packet helper's `route get` (rtnetlink; the speaker
 * image has no `ip` binary), or undefined when there is no route or no helper.
 * `helperPath`: the helper to run (found like the layer2 helper when not given).
 */
export function routeDevice(ip: string, helperPath?: string): string | undefined {
  try {
    const out = execFileSync(helperPath ?? findPacketHelper(), ['route', 'get', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}
