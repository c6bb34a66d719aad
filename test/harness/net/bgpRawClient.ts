// A raw TCP client for malformed-message tests, run inside a namespace:
//   node --import tsx test/harness/net/bgpRawClient.ts <host> <port>
// stdin: one hex string per line, written to the socket as-is ("close" ends the connection).
// stdout: JSON lines: {"event":"connected"}, {"event":"message","type":N,"code":C,"subcode":S}
// for each BGP message received (framed by length), {"event":"closed"}.
import net from 'node:net';
import { createInterface } from 'node:readline';

const [host, port] = process.argv.slice(2);
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const sock = net.connect({ host, port: Number(port) }, () => out({ event: 'connected' }));
let buf = Buffer.alloc(0);
sock.on('data', (d: Buffer) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 19) {
    const len = buf.readUInt16BE(16);
    if (len < 19 || buf.length < len) break;
    const m = buf.subarray(0, len);
    buf = buf.subarray(len);
    out({ event: 'message', type: m[18], ...(m[18] === 3 ? { code: m[19], subcode: m[20] } : {}) });
  }
});
sock.on('error', (e) => out({ event: 'error', error: e.message }));
sock.on('close', () => { out({ event: 'closed' }); process.exit(0); });
createInterface({ input: process.stdin }).on('line', (l) => {
  const line = l.trim();
  if (line === 'close') sock.end();
  else if (line) sock.write(Buffer.from(line, 'hex'));
});
