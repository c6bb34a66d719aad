// `openelb undeploy [--dry-run] [--include-crds]`: removes what `openelb deploy` created.
import { CRD_WARNING, undeploy } from '../ops/deploy';
import { KUBE_HELP, KUBE_OPTIONS, kubeFrom, parseArgs, runCommand, type Print } from './args';
import { formatChange, summarize } from './deploy';

export const UNDEPLOY_USAGE = `usage: openelb undeploy [--dry-run] [--include-crds] [--kubeconfig PATH] [--context NAME]

Deletes the controller, speaker, runtime ConfigMap, RBAC and namespace created by deploy.
  --dry-run           show what would be deleted (dryRun=All); delete nothing
  --include-crds      also delete the CRDs: this DELETES EVERY Eip, BgpConf AND BgpPeer
${KUBE_HELP}`;

export function undeployCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('undeploy', UNDEPLOY_USAGE, err, async () => {
    const args = parseArgs(argv, { values: KUBE_OPTIONS, flags: ['dry-run', 'include-crds'] });
    if (args.help) { out(UNDEPLOY_USAGE); return 0; }
    const dryRun = args.flags.has('dry-run');
    const includeCrds = args.flags.has('include-crds');
    const kc = kubeFrom(args);
    const { changes } = await undeploy(kc, { dryRun, includeCrds, onProgress: (c) => out(formatChange(c)) });
    out(`${dryRun ? 'dry run: ' : ''}${summarize(changes)}`);
    if (!includeCrds) err(CRD_WARNING);
    return 0;
  });
}
