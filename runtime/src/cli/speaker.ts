// `openelb speaker --node NAME [--kubeconfig PATH] [--context NAME] [--metrics-port N]`: runs this
// node's speaker (runtime/src/speaker/node) until SIGTERM/SIGINT, then hands its addresses over
// and exits. In a pod it uses the service account.
import { DEFAULT_LEASE_MS, DEFAULT_RENEW_MS, runSpeaker } from '../speaker/node/runSpeaker';
import { KUBE_OPTIONS, kubeSource, parseArgs, portValue, runCommand, UsageError, type Print } from './args';

export const SPEAKER_USAGE = `usage: openelb speaker --node NAME [--kubeconfig PATH] [--context NAME] [--metrics-port N]

  --node NAME              this node's name (default: $NODE_NAME)
  --kubeconfig PATH        kubeconfig file, or a colon-separated list merged like KUBECONFIG
                           (default: $KUBECONFIG, ~/.kube/config, then in-cluster)
  --context NAME           context of the kubeconfig to use
  --metrics-port N         serve /metrics and /healthz on port N (0: any free port)
  --namespace NS           namespace of the speaker Leases (default openelb-system)
  --gossip-port N          UDP port of gossip membership (default 7947; open it between all
                           nodes). Gossip runs when the Secret openelb-system/openelb-speaker-gossip
                           can be read; then the Lease is renewed every 10 s (lasts 30 s)
  --lease-renew SECONDS    without gossip: how often the liveness Lease is renewed (default 0.25)
  --lease-duration SECONDS without gossip: how long a Lease counts as live without renewal
                           (default 0.8); a crashed node's addresses move after at most this long`;

function number(v: string | undefined, name: string, ok: (n: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name}: bad value '${v}'`);
  return n;
}

export function speakerCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('speaker', SPEAKER_USAGE, err, async () => {
    const args = parseArgs(argv, { values: [...KUBE_OPTIONS, 'node', 'metrics-port', 'namespace', 'lease-renew', 'lease-duration', 'gossip-port'] });
    if (args.help) { out(SPEAKER_USAGE); return 0; }
    const node = args.values.node ?? process.env.NODE_NAME;
    if (!node) throw new UsageError('--node is required (or set $NODE_NAME)');
    const metricsPort = number(args.values['metrics-port'], 'metrics-port', (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
    const renew = number(args.values['lease-renew'], 'lease-renew', (n) => n >= 0.05 && n <= 60);
    const duration = number(args.values['lease-duration'], 'lease-duration', (n) => n >= 0.2 && n <= 3600);
    if ((renew ?? DEFAULT_RENEW_MS / 1000) >= (duration ?? DEFAULT_LEASE_MS / 1000)) throw new UsageError('--lease-renew must be shorter than --lease-duration');
    // Listening before the start: a SIGTERM while it starts (the Lease may already exist) still
    // ends in a clean stop once the start is done, never in a kill by the default action.
    const stopAsked = new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    const handle = await runSpeaker({
      ...kubeSource(args), node, namespace: args.values.namespace, metricsPort, gossipPort: portValue(args.values['gossip-port'], 'gossip-port'),
      leaseRenewMs: renew === undefined ? undefined : Math.round(renew * 1000), leaseDurationMs: duration === undefined ? undefined : Math.round(duration * 1000),
    });
    err(`openelb speaker: running on node ${node}${handle.metricsPort !== undefined ? `; /metrics and /healthz on port ${handle.metricsPort}` : ''}`);
    await stopAsked;
    await handle.stop();
    return 0;
  });
}
