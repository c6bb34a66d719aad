// The node's view of its own network (I/O): interfaces from os.networkInterfaces() (which sees
// the network namespace the process runs in) and the interface of the route to an address.
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { nicsFrom, type Nic } from './interfaces';

export function readNics(): Nic[] {
  return nicsFrom(networkInterfaces());
}

/** `ip -j route get IP` → the device name, or undefined when ip fails or finds no route. */
export function routeDevice(ip: string): string | undefined {
  try {
    const out = execFileSync('ip', ['-j', 'route', 'get', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    const routes = JSON.parse(out) as { dev?: string }[];
    return routes[0]?.dev;
  } catch {
    return undefined;
  }
}
