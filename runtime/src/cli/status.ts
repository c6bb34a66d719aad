// `openelb status [--watch]`: Eip pools, their usage and which Service holds which IP.
import { formatStatus, readStatus } from '../ops/status';
import { watchStatus } from '../ops/statusWatch';
import { KUBE_HELP, KUBE_OPTIONS, kubeFrom, parseArgs, runCommand, type Print } from './args';

export const STATUS_USAGE = `usage: openelb status [--watch] [--kubeconfig PATH] [--context NAME]

  --watch             print again whenever an Eip or a Service changes (Ctrl-C to stop)
${KUBE_HELP}`;

export function statusCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('status', STATUS_USAGE, err, async () => {
    const args = parseArgs(argv, { values: KUBE_OPTIONS, flags: ['watch'] });
    if (args.help) { out(STATUS_USAGE); return 0; }
    const kc = kubeFrom(args);
    // One read first, so a bad kubeconfig or RBAC refusal fails fast with exit 1.
    const first = formatStatus(await readStatus(kc));
    if (!args.flags.has('watch')) { out(first.trimEnd()); return 0; }
    return new Promise<number>((resolve) => {
      const h = watchStatus(kc, (text) => out(`--- ${new Date().toISOString()}\n${text.trimEnd()}`), (msg) => err(msg));
      const stop = (): void => { h.stop(); resolve(0); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}
