// `openelb undeploy [--dry-run] [--include-crds] [--release-services]`: removes what
// `openelb deploy` created (order and refusals: ops/deploy.ts, undeploy).
import { CRD_WARNING, undeploy } from '../ops/deploy';
import { KUBE_HELP, KUBE_OPTIONS, kubeFrom, parseArgs, runCommand, type Print } from './args';
import { formatChange, formatUpstream, summarize } from './deploy';

export const UNDEPLOY_USAGE = `usage: openelb undeploy [--dry-run] [--include-crds] [--release-services] [--kubeconfig PATH] [--context NAME]

Deletes the controller and speaker, waits (up to 60 s) for their pods to stop, then deletes the
runtime ConfigMap, RBAC, service accounts and namespace created by deploy. Objects deploy did not
create (upstream OpenELB's, after a takeover) are left and listed; the namespace is kept while
it holds any.
  --dry-run           show what would be deleted and released (dryRun=All); change nothing
  --include-crds      also delete the CRDs: this DELETES EVERY Eip, BgpConf AND BgpPeer
  --release-services  remove OpenELB's finalizer, pool label and addresses from the Services that
                      hold them (without it, undeploy refuses while such Services exist: with the
                      controller gone they could not be deleted)
${KUBE_HELP}`;

export function undeployCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('undeploy', UNDEPLOY_USAGE, err, async () => {
    const args = parseArgs(argv, { values: KUBE_OPTIONS, flags: ['dry-run', 'include-crds', 'release-services'] });
    if (args.help) { out(UNDEPLOY_USAGE); return 0; }
    const dryRun = args.flags.has('dry-run');
    const includeCrds = args.flags.has('include-crds');
    const kc = kubeFrom(args);
    const { changes, left } = await undeploy(kc, {
      dryRun, includeCrds, releaseServices: args.flags.has('release-services'), onProgress: (c) => out(formatChange(c)), onNote: err,
    });
    out(`${dryRun ? 'dry run: ' : ''}${summarize(changes)}`);
    if (left?.length) out(formatUpstream(left, `left in place (not created by openelb deploy${left.some((f) => f.role !== 'leftover') ? '; upstream OpenELB\'s webhooks and workloads among them' : ''}):`));
    if (!includeCrds) err(CRD_WARNING);
    return 0;
  });
}
