// `openelb controller [--kubeconfig PATH] [--context NAME] [--metrics-port N]`: runs the IP
// allocation controller (runtime/src/controller) until SIGTERM/SIGINT. In a pod it uses the
// service account.
import { runController } from '../controller/runController';
import { KUBE_HELP, KUBE_OPTIONS, kubeSource, parseArgs, runCommand, UsageError, type Print } from './args';

export const CONTROLLER_USAGE = `usage: openelb controller [--kubeconfig PATH] [--context NAME] [--metrics-port N]

${KUBE_HELP}
  --metrics-port N    serve /metrics and /healthz on port N (0: any free port)`;

export function controllerCommand(argv: string[], out: Print, err: Print): Promise<number> {
  return runCommand('controller', CONTROLLER_USAGE, err, async () => {
    const args = parseArgs(argv, { values: [...KUBE_OPTIONS, 'metrics-port'] });
    if (args.help) { out(CONTROLLER_USAGE); return 0; }
    let metricsPort: number | undefined;
    if (args.values['metrics-port'] !== undefined) {
      metricsPort = Number(args.values['metrics-port']);
      if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) throw new UsageError('--metrics-port must be a port number (0-65535)');
    }
    const handle = await runController({ ...kubeSource(args), metricsPort });
    if (handle.metricsPort !== undefined) err(`openelb controller: /metrics and /healthz on port ${handle.metricsPort}`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await handle.stop();
    return 0;
  });
}
