#!/usr/bin/env node
// The `openelb` command: one entry, one subcommand per file.
import { lint, LINT_USAGE } from '../../../server/src/cli/lint';

const USAGE = `usage: openelb <command> [options]

commands:
  lint [--format text|json] FILE...   check Eip, BgpConf, BgpPeer and Service YAML
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s + '\n');
  const err = (s: string) => process.stderr.write(s + '\n');
  switch (cmd) {
    case 'lint':
      return lint(rest, out, err);
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
