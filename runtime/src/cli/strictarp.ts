// `openelb strictarp [--check] [--dry-run]`: turns on ipvs.strictARP in kube-proxy's config
// (needed by Layer2 mode when kube-proxy runs in IPVS mode), showing the diff first.
import { applyStrictArp, CONFIG_KEY, planStrictArp } from '../ops/strictArp';
import { unifiedDiff } from '../ops/unifiedDiff';
import { KUBE_HELP, KUBE_OPTIONS, kubeFrom, parseArgs, runCommand, type Print } from './args';

export const STRICTARP_USAGE = `usage: openelb strictarp [--check | --dry-run] [--kubeconfig PATH] [--context NAME]

Sets ipvs.strictARP: true in kube-system/kube-proxy (${CONFIG_KEY}) and restarts kube-proxy.
  --check             change nothing; exit 1 when kube-proxy runs in ipvs mode without strictARP
  --dry-run           show the diff only
${KUBE_HELP}`;

export function strictarpCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('strictarp', STRICTARP_USAGE, err, async () => {
    const args = parseArgs(argv, { values: KUBE_OPTIONS, flags: ['check', 'dry-run'] });
    if (args.help) { out(STRICTARP_USAGE); return 0; }
    const kc = kubeFrom(args);
    const plan = await planStrictArp(kc);
    if (plan.problem) {
      (plan.problemKind === 'not-ipvs' ? out : err)(plan.problem);
      return plan.problemKind === 'not-ipvs' ? 0 : 1;
    }
    if (!plan.changed) { out('strictARP is already true in kube-proxy\'s ipvs settings; nothing to do'); return 0; }
    out(unifiedDiff(plan.before, plan.after, `a/kube-system/kube-proxy/${CONFIG_KEY}`, `b/kube-system/kube-proxy/${CONFIG_KEY}`).trimEnd());
    if (args.flags.has('check')) { err('strictARP is off while kube-proxy runs in ipvs mode; run `openelb strictarp` to fix it'); return 1; }
    if (args.flags.has('dry-run')) { out('dry run: nothing written'); return 0; }
    const res = await applyStrictArp(kc, plan);
    if (res.written) out(`updated kube-system/kube-proxy ${CONFIG_KEY}`);
    if (res.restartedAt) out(`restarted daemonset kube-system/kube-proxy (restartedAt ${res.restartedAt})`);
    if (res.warning) err(res.warning);
    return 0;
  });
}
