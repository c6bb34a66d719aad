// `openelb deploy [--dry-run] [--image IMAGE]`: installs or upgrades OpenELB in the cluster.
import { deploy, type Change } from '../ops/deploy';
import { imageProblem } from '../ops/image';
import { DEFAULT_IMAGE } from '../ops/names';
import { KUBE_HELP, KUBE_OPTIONS, kubeFrom, parseArgs, runCommand, UsageError, type Print } from './args';

export const DEPLOY_USAGE = `usage: openelb deploy [--dry-run] [--image IMAGE] [--kubeconfig PATH] [--context NAME]

Server-side applies the OpenELB CRDs, namespace, RBAC, runtime ConfigMap, controller and speaker.
  --dry-run           ask the API server what would change (dryRun=All); store nothing
  --image IMAGE       Node.js 20+ image that runs the bundled runtime (default ${DEFAULT_IMAGE});
                      NAME[:TAG][@sha256:DIGEST], e.g. node:24-bookworm-slim@sha256:<64 hex>
${KUBE_HELP}`;

/** One line per object: "create  DaemonSet openelb-system/openelb-speaker". */
export function formatChange(c: Change): string {
  return `${c.action.padEnd(9)} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${c.detail ? ` (${c.detail})` : ''}`;
}

export function summarize(changes: Change[]): string {
  const count = (a: string): number => changes.filter((c) => c.action === a).length;
  return ['create', 'update', 'delete', 'release', 'unchanged'].filter((a) => count(a) > 0).map((a) => `${count(a)} ${a}`).join(', ');
}

export function deployCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('deploy', DEPLOY_USAGE, err, async () => {
    const args = parseArgs(argv, { values: [...KUBE_OPTIONS, 'image'], flags: ['dry-run'] });
    if (args.help) { out(DEPLOY_USAGE); return 0; }
    const dryRun = args.flags.has('dry-run');
    const image = args.values.image;
    const problem = image === undefined ? undefined : imageProblem(image);
    if (problem) throw new UsageError(`--image ${image}: ${problem}`);
    const kc = kubeFrom(args);
    const { changes, architectures } = await deploy(kc, { dryRun, image, onProgress: (c) => out(formatChange(c)) });
    out(`packet helper shipped for: ${architectures?.join(', ')}`);
    out(`${dryRun ? 'dry run: ' : ''}${summarize(changes)}`);
    return 0;
  });
}
