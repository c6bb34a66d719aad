// Command-line entry for the BGP speaker, used by network tests and the bench:
//   node --import tsx test/harness/drivers/bgpMain.ts '<json config>'   (or @file.json)
// Reads commands from stdin, one per line, and answers each with one JSON line on stdout:
//   announce <prefix> <next-hop> | announce-many <first-ipv4> <count> <next-hop> | withdraw <prefix>
//   | withdraw-many <first-ipv4> <count>
//   | status | routes | problems | pending | memory | quit
// Log lines go to stderr. A bad command gets {"ok":false,"error":...}; it never exits the process.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatIp, parseIp } from '@openelb/core/address/ip';
import { BgpSpeaker, SpeakerConfig } from '../../../runtime/src/speaker/bgp/speaker';

function loadConfig(arg: string | undefined): SpeakerConfig {
  if (!arg) throw new Error('usage: bgpMain.ts <json config | @file>');
  const text = arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg;
  return JSON.parse(text) as SpeakerConfig;
}

async function main(): Promise<void> {
  const cfg = loadConfig(process.argv[2]);
  const speaker = new BgpSpeaker({ ...cfg, log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`) });
  await speaker.start();
  const reply = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  reply({ event: 'ready', port: speaker.port ?? null });

  const shutdown = async () => { await speaker.stop(); setTimeout(() => process.exit(0), 200); };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    try {
      switch (cmd) {
        case '': return;
        case 'announce': {
          if (args.length !== 2) throw new Error('usage: announce <prefix> <next-hop>');
          speaker.announce(args[0], args[1]);
          return reply({ ok: true, cmd, at: Date.now() });
        }
        case 'announce-many':
        case 'withdraw-many': {
          // count host routes from first-ipv4 upwards, in one go (benches and memory tests).
          const first = parseIp(args[0] ?? '');
          const count = Number(args[1]);
          const announce = cmd === 'announce-many';
          if (args.length !== (announce ? 3 : 2) || first?.family !== 4 || !Number.isInteger(count) || count < 1) {
            throw new Error(`usage: ${cmd} <first-ipv4> <count>${announce ? ' <next-hop>' : ''}`);
          }
          for (let i = 0n; i < BigInt(count); i++) {
            const prefix = `${formatIp(4, first.value + i)}/32`;
            if (announce) speaker.announce(prefix, args[2]); else speaker.withdraw(prefix);
          }
          return reply({ ok: true, cmd, count, at: Date.now() });
        }
        case 'withdraw': {
          if (args.length !== 1) throw new Error('usage: withdraw <prefix>');
          return reply({ ok: true, cmd, withdrawn: speaker.withdraw(args[0]), at: Date.now() });
        }
        case 'status': return reply({ ok: true, cmd, status: speaker.status() });
        case 'routes': return reply({ ok: true, cmd, routes: speaker.routes() });
        case 'problems': return reply({ ok: true, cmd, problems: speaker.problems() });
        case 'pending': return reply({ ok: true, cmd, pending: speaker.pending() });
        case 'memory': return reply({ ok: true, cmd, ...process.memoryUsage() });
        case 'quit': reply({ ok: true, cmd }); return void shutdown();
        default: throw new Error(`unknown command "${cmd}"`);
      }
    } catch (e) {
      reply({ ok: false, cmd, error: (e as Error).message });
    }
  });
  rl.on('close', () => void shutdown());
}

main().catch((e: Error) => {
  process.stderr.write(`bgp speaker: ${e.message}\n`);
  process.exit(2);
});
