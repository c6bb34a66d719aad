// Reaching a server inside a network namespace from the root namespace without adding anything
// to the root namespace's network: a relay inside the namespace serves a unix socket (a file,
// reachable from every namespace) and forwards to host:port there; a TCP listener on 127.0.0.1
// here forwards to that socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

export interface NsRelay {
  /** The 127.0.0.1 port that reaches host:port inside the namespace. */
  port: number;
  /** The relay process inside the namespace (for callers that must stop it by pid). */
  child: ChildProcess;
  close(): Promise<void>;
}

const INNER = `const net=require('net');const [sock,host,port]=process.argv.slice(1);
try{require('fs').unlinkSync(sock)}catch{}
net.createServer((c)=>{const u=net.connect(+port,host);c.pipe(u);u.pipe(c);
c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());c.on('close',()=>u.destroy());u.on('close',()=>c.destroy());})
.listen(sock,()=>console.log('ready'));`;

function pipeBoth(a: Socket, b: Socket, sockets: Set<Socket>): void {
  sockets.add(a); sockets.add(b);
  a.pipe(b); b.pipe(a);
  const done = () => { a.destroy(); b.destroy(); sockets.delete(a); sockets.delete(b); };
  for (const s of [a, b]) { s.on('error', done); s.on('close', done); }
}

export async function startNsRelay(ns: string, sock: string, host: string, port: number): Promise<NsRelay> {
  const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, '-e', INNER, sock, host, String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', () => res());
    child.once('exit', () => rej(new Error(`the relay into ${ns} exited`)));
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((c) => pipeBoth(c, connect(sock), sockets));
  const local = await new Promise<number>((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
  return {
    port: local,
    child,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
    },
  };
}
