// `openelb deploy [--dry-run] [--image IMAGE]`: installs or upgrades OpenELB in the cluster.
import { deploy, type Change } from '../ops/deploy';
import { imageProblem } from '../ops/image';
import { DEFAULT_IMAGE } from '../ops/names';
import { DEFAULT_GOSSIP_PORT } from '../speaker/membership/gossipNode';
import { kubectlDelete } from '../ops/foreign';
import type { UpstreamObject } from '../ops/upstream';
import { KUBE_HELP, KUBE_OPTIONS, kubeFrom, parseArgs, portValue, runCommand, UsageError, type Print } from './args';

export const DEPLOY_USAGE = `usage: openelb deploy [--dry-run] [--image IMAGE] [--vip | --no-vip] [--gossip-port N] [--remove-upstream | --force] [--kubeconfig PATH] [--context NAME]

Server-side applies the OpenELB CRDs, namespace, RBAC, runtime ConfigMap, controller and speaker.
Takes over from upstream OpenELB: refuses while its admission webhooks or controller/speaker
workloads are in place, naming them with the kubectl commands that remove them.
  --dry-run           ask the API server what would change (dryRun=All); store nothing
  --image IMAGE       Node.js 20+ image that runs the bundled runtime (default ${DEFAULT_IMAGE});
                      NAME[:TAG][@sha256:DIGEST], e.g. node:24-bookworm-slim@sha256:<64 hex>
  --remove-upstream   delete upstream OpenELB's webhook configurations and workloads first
                      (its other objects stay, for the way back)
  --force             deploy beside upstream's webhooks and workloads (they then compete with ours)
  --vip, --no-vip     give the speaker CAP_NET_ADMIN for vip mode, or not (default: keep what is
                      deployed; add it when an Eip uses vip)
  --gossip-port N     UDP port the speakers tell each other they are alive on (default ${DEFAULT_GOSSIP_PORT});
                      it must be open between all nodes, both ways
${KUBE_HELP}`;

/** One line per object: "create  DaemonSet openelb-system/openelb-speaker". */
export function formatChange(c: Change): string {
  return `${c.action.padEnd(9)} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${c.detail ? ` (${c.detail})` : ''}`;
}

export function summarize(changes: Change[]): string {
  const count = (a: string): number => changes.filter((c) => c.action === a).length;
  return ['create', 'update', 'delete', 'release', 'unchanged'].filter((a) => count(a) > 0).map((a) => `${count(a)} ${a}`).join(', ');
}

/** The upstream objects found, and the commands that remove the harmless ones later. */
export function formatUpstream(found: UpstreamObject[], heading: string): string {
  const lines = found.map((f) => `  ${f.role.padEnd(8)} ${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}: ${f.detail}`);
  const leftovers = found.filter((f) => f.role === 'leftover' && !f.takenOver);
  const cleanup = leftovers.length ? ['to remove the rest once you no longer want the way back:', ...leftovers.map((f) => `  ${kubectlDelete(f)}`)] : [];
  return [heading, ...lines, ...cleanup].join('\n');
}

/** What deploy says about the gossip port (also in the README). */
export function gossipPortNote(port: number): string {
  return `speakers gossip on UDP ${port}: open it between all nodes, both ways`;
}

export function deployCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('deploy', DEPLOY_USAGE, err, async () => {
    const args = parseArgs(argv, { values: [...KUBE_OPTIONS, 'image', 'gossip-port'], flags: ['dry-run', 'remove-upstream', 'force', 'vip', 'no-vip'] });
    if (args.help) { out(DEPLOY_USAGE); return 0; }
    const dryRun = args.flags.has('dry-run');
    const image = args.values.image;
    const problem = image === undefined ? undefined : imageProblem(image);
    if (problem) throw new UsageError(`--image ${image}: ${problem}`);
    if (args.flags.has('remove-upstream') && args.flags.has('force')) throw new UsageError('--remove-upstream and --force exclude each other');
    if (args.flags.has('vip') && args.flags.has('no-vip')) throw new UsageError('--vip and --no-vip exclude each other');
    const gossipPort = portValue(args.values['gossip-port'], 'gossip-port') ?? DEFAULT_GOSSIP_PORT;
    const kc = kubeFrom(args);
    const { changes, architectures } = await deploy(kc, {
      dryRun, image, gossipPort, removeUpstream: args.flags.has('remove-upstream'), force: args.flags.has('force'),
      vip: args.flags.has('vip') ? true : args.flags.has('no-vip') ? false : undefined,
      onProgress: (c) => out(formatChange(c)), onNote: err, onUpstream: (found) => out(formatUpstream(found, 'upstream OpenELB found:')),
    });
    out(`packet helper shipped for: ${architectures?.join(', ')}`);
    out(`${dryRun ? 'dry run: ' : ''}${summarize(changes)}`);
    out(gossipPortNote(gossipPort));
    return 0;
  });
}
