// Option parsing shared by the cluster subcommands: `--name value`, `--name=value` and boolean
// `--flag`. Bad usage throws UsageError, which the command turns into exit code 2.
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../kube/kubeconfig';

export class UsageError extends Error {}

export type Print = (s: string) => void;

export interface ArgSpec {
  /** Options taking a value, without the dashes ("kubeconfig"). */
  values?: string[];
  /** Boolean flags ("dry-run"). */
  flags?: string[];
}

export interface ParsedArgs {
  values: Record<string, string | undefined>;
  flags: Set<string>;
  help: boolean;
}

/** Parses argv; no positional arguments are accepted. */
export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const values: Record<string, string | undefined> = {};
  const flags = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { help = true; continue; }
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (spec.values?.includes(name)) {
      const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined || v === '' || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      values[name] = v;
    } else if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { values, flags, help };
}

export const KUBE_OPTIONS = ['kubeconfig', 'context'];
export const KUBE_HELP = `  --kubeconfig PATH   kubeconfig file, or a colon-separated list merged like KUBECONFIG
                      (default: $KUBECONFIG, ~/.kube/config, then in-cluster)
  --context NAME      context of the kubeconfig to use`;

/** The kubeconfig selected by --kubeconfig/--context. */
export function kubeFrom(args: ParsedArgs): KubeConfig {
  return loadKubeConfig(kubeSource(args));
}

/** --kubeconfig/--context as given, for commands that load the kubeconfig later (controller, speaker). */
export function kubeSource(args: ParsedArgs): { kubeconfig?: string; context?: string } {
  return { kubeconfig: args.values.kubeconfig, context: args.values.context };
}

/**
 * Runs a command body with the shared exit-code rules: 2 for usage errors (with the usage text),
 * 1 for any other failure (its message only: OpsErrors are already written for users).
 */
export async function runCommand(name: string, usage: string, err: Print, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) { err(`openelb ${name}: ${e.message}\n${usage}`); return 2; }
    err(`openelb ${name}: ${(e as Error).message}`);
    return 1;
  }
}

/** A UDP/TCP port flag: 1..65535. */
export function portValue(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${name}: '${v}' is not a port (1-65535)`);
  return n;
}
