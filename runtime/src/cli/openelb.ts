#!/usr/bin/env node
// The `openelb` command: one entry, one subcommand per file.
import { lint, LINT_USAGE } from '../../../server/src/cli/lint';
import { controllerCommand } from './controller';
import { deployCommand } from './deploy';
import { speakerCommand } from './speaker';
import { statusCommand } from './status';
import { strictarpCommand } from './strictarp';
import { undeployCommand } from './undeploy';

const USAGE = `usage: openelb <command> [options]

commands:
  lint [--format text|json] [--cluster] FILE...
                                      check Eip, BgpConf, BgpPeer and Service YAML
  deploy [--dry-run] [--image IMAGE]  install or upgrade OpenELB in the cluster
  undeploy [--dry-run] [--include-crds] [--release-services]
                                      remove what deploy installed
  strictarp [--check | --dry-run]     set kube-proxy's ipvs.strictARP (needed by Layer2)
  status [--watch]                    Eip pools, usage and the Services holding their IPs
  controller [--metrics-port N]       run the IP allocation controller
  speaker --node NAME [--metrics-port N]
                                      run the node speaker (layer2 ARP/NDP, BGP)

Cluster commands (and lint --cluster) take --kubeconfig PATH and --context NAME; in a pod
they use its service account. \`openelb <command> --help\` for more.
Exit codes: 0 ok, 1 failure, 2 usage error.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s + '\n');
  const err = (s: string) => process.stderr.write(s + '\n');
  switch (cmd) {
    case 'lint':
      return lint(rest, out, err);
    case 'deploy':
      return deployCommand(rest, out, err);
    case 'undeploy':
      return undeployCommand(rest, out, err);
    case 'strictarp':
      return strictarpCommand(rest, out, err);
    case 'status':
      return statusCommand(rest, out, err);
    case 'controller':
      return controllerCommand(rest, out, err);
    case 'speaker':
      return speakerCommand(rest, out, err);
    case undefined:
    case '-h':
    case '--help':
      out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      err(`openelb: unknown command '${cmd}'\n${USAGE}`);
      void LINT_USAGE;
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`openelb: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
