// Runs code-server (installed by test/harness/codeServer/install-code-server.sh) for the editor tests:
// installs a .vsix into a private extensions folder, writes user settings (User/settings.json)
// and machine settings (Machine/settings.json: the server machine's, the only user-level place a
// `"scope": "machine"` setting is read from in code-server's remote window), starts the server on
// a free 127.0.0.1 port and waits until the workbench answers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../cluster/cluster';

export const CACHE = process.env.OPENELB_CACHE ?? join(homedir(), '.cache', 'openelb-toolkit');
export const CODE_SERVER = join(CACHE, 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Throws a clear message when something the editor tests need is missing. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!existsSync(CODE_SERVER)) missing.push(`code-server (${CODE_SERVER}): run test/harness/codeServer/install-code-server.sh`);
  if (!existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM}): apt-get install -y chromium`);
  try { require.resolve('playwright-core'); } catch { missing.push('playwright-core: npm install --no-save playwright-core@1.65.1'); }
  if (missing.length) throw new Error(`editor tests need:\n  ${missing.join('\n  ')}`);
}

export interface CodeServer {
  url: string;
  userDir: string;
  extDir: string;
  logPath: string;
  stop(): Promise<void>;
}

export function installVsix(extDir: string, vsix: string, logPath: string): void {
  const r = spawnSync(CODE_SERVER, ['--extensions-dir', extDir, '--install-extension', vsix, '--force'], { encoding: 'utf8' });
  writeFileSync(logPath, `${r.stdout}\n${r.stderr}`, { flag: 'a' });
  if (r.status !== 0) throw new Error(`installing ${vsix} into code-server failed (see ${logPath}): ${r.stderr.slice(0, 500)}`);
}

function get(url: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(url, { timeout: 2000 }, (r) => { r.resume(); res(r.statusCode ?? 0); });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

export async function startCodeServer(opts: {
  dir: string; vsix: string; workspace: string; settings: Record<string, unknown>; env?: NodeJS.ProcessEnv;
  machineSettings?: Record<string, unknown>;
  /** Keep VS Code's workspace trust on (default: --disable-workspace-trust, every folder trusted). */
  workspaceTrust?: boolean;
}): Promise<CodeServer> {
  const userDir = join(opts.dir, 'user');
  const extDir = join(opts.dir, 'ext');
  const logPath = join(opts.dir, 'code-server.log');
  mkdirSync(join(userDir, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  writeFileSync(join(userDir, 'User', 'settings.json'), JSON.stringify(opts.settings, null, 2));
  mkdirSync(join(userDir, 'Machine'), { recursive: true });
  writeFileSync(join(userDir, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings ?? {}, null, 2));
  installVsix(extDir, opts.vsix, logPath);
  const port = await freePort();
  const fd = openSync(logPath, 'a');
  const child: ChildProcess = spawn(CODE_SERVER, [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']), '--user-data-dir', userDir, '--extensions-dir', extDir, opts.workspace,
  ], { stdio: ['ignore', fd, fd], env: { ...process.env, ...opts.env } });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.workspace)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (code ${child.exitCode}); see ${logPath}`);
    if (await get(`http://127.0.0.1:${port}/healthz`).catch(() => 0) === 200) break;
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`code-server did not answer within 60 s; see ${logPath}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, userDir, extDir, logPath,
    stop: () => new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) { res(); return; }
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => { clearTimeout(t); res(); });
      child.kill('SIGTERM');
    }),
  };
}
