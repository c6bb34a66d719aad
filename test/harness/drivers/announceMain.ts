// A standalone Layer2 announcer process, used by the network tests and the
// bench (the full speaker embeds Layer2Announcer instead).
//
//   node --import tsx test/harness/drivers/announceMain.ts --interface eth0 [--ip VIP]...
//        [--helper PATH] [--reply-rate N] [--per-requester-rate N] [--helper-rate N]
//
// Prints one JSON object per line on stdout: {"event":"ready",...} once the
// helper runs and the initial IPs are announced, {"event":"stats",...} on
// request, {"event":"error",...} on bad input. Reads commands, one per line,
// on stdin: "announce IP", "withdraw IP", "reannounce IP" (gratuitous ARP / NA again, as the
// speaker does back from a silence), "stats". Exits when stdin closes or
// on SIGTERM/SIGINT.
import { createInterface } from 'node:readline';
import { Layer2Announcer } from '../../../runtime/src/speaker/layer2/layer2Announcer';
import { PacketIO } from '../../../runtime/src/speaker/layer2/packetIO';

interface Args {
  iface?: string; ips: string[]; helper?: string;
  replyRate?: number; perRequesterRate?: number; helperRate?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { ips: [] };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--interface') args.iface = v;
    else if (a === '--ip') args.ips.push(v ?? '');
    else if (a === '--helper') args.helper = v;
    else if (a === '--reply-rate') args.replyRate = num(a, v);
    else if (a === '--per-requester-rate') args.perRequesterRate = num(a, v);
    else if (a === '--helper-rate') args.helperRate = num(a, v);
    else throw new Error(`unknown argument "${a}"`);
    i++;
  }
  if (!args.iface) throw new Error('--interface is required');
  return args;
}

const emit = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const io = await PacketIO.open(args.iface!, { helperPath: args.helper, maxRate: args.helperRate });
  const announcer = new Layer2Announcer(io, { replyRate: args.replyRate, perRequesterRate: args.perRequesterRate });
  io.onUnexpectedExit((reason) => { emit({ event: 'error', message: reason }); process.exit(1); });
  for (const ip of args.ips) announcer.announce(ip);

  const stop = async () => { announcer.close(); await io.close(); process.exit(0); };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [cmd, arg] = line.trim().split(/\s+/);
    try {
      if (cmd === 'announce' && arg) { announcer.announce(arg); emit({ event: 'announced', ip: arg }); }
      else if (cmd === 'withdraw' && arg) { announcer.withdraw(arg); emit({ event: 'withdrawn', ip: arg }); }
      else if (cmd === 'reannounce' && arg) { announcer.reannounce(arg); emit({ event: 'reannounced', ip: arg }); }
      else if (cmd === 'stats') {
        io.stats().then(
          (helper) => emit({ event: 'stats', counters: announcer.counters, helper, sendDropped: io.sendDropped }),
          (err: Error) => emit({ event: 'error', message: err.message }));
      } else if (cmd) emit({ event: 'error', message: `unknown command "${line.trim()}"` });
    } catch (err) {
      emit({ event: 'error', message: (err as Error).message });
    }
  });
  lines.on('close', () => void stop());
  emit({ event: 'ready', ifname: io.info.ifname, ifindex: io.info.ifindex, mac: io.info.mac, ips: args.ips });
}

main().catch((err: Error) => {
  emit({ event: 'error', message: err.message });
  process.exit(1);
});
