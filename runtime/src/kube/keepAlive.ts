// @kubernetes/client-node 1.x builds a new https.Agent for every API request, so every request
// opens (and TLS-handshakes) a new connection: at hundreds of writes a second that handshake
// dominates the controller's time and the API server's CPU. This makes a KubeConfig hand out
// one keep-alive agent per set of TLS options instead, so connections are reused.
//
// loadKubeConfig (./kubeconfig) applies it to every KubeConfig it loads: the controller, the speaker
// and the CLI commands all reuse connections.
//
// It replaces KubeConfig's private createAgent on this one instance (checked at 1.4.0); when a
// future version renames it, nothing is patched and requests simply stay unpooled.
import { createHash } from 'node:crypto';
import { Agent, type AgentOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

type CreateAgent = (cluster: Cluster | null, opts: AgentOptions) => unknown;

export function reuseConnections(kc: KubeConfig): void {
  const target = kc as unknown as { createAgent?: CreateAgent };
  const original = target.createAgent;
  if (typeof original !== 'function') return;
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, opts) => {
    // Proxies and plain http keep the library's own agents.
    if (!cluster || cluster.proxyUrl || !cluster.server.startsWith('https:')) return original.call(kc, cluster, opts);
    // Credentials may rotate (exec plugins): the agent is keyed by every TLS option, hashed.
    const key = createHash('sha256').update(JSON.stringify([
      cluster.server, opts.ca, opts.cert, opts.key, opts.pfx, opts.passphrase, opts.rejectUnauthorized, opts.servername,
    ])).digest('hex');
    let agent = agents.get(key);
    if (!agent) {
      for (const old of agents.values()) old.destroy(); // rotated credentials: drop the old pool
      agents.clear();
      // One TLS context for all of the agent's connections: building it (the default CA store
      // when the kubeconfig names no CA) cost ~10 ms of CPU per new connection.
      agent = new Agent({ ...opts, keepAlive: true, secureContext: createSecureContext(opts) });
      agents.set(key, agent);
    }
    return agent;
  };
}
