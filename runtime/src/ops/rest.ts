// A minimal JSON REST call to the API server, authenticated from a KubeConfig by
// @kubernetes/client-node itself (applyToHTTPSOptions: token, client cert, CA, exec plugins).
// deploy/undeploy use it for server-side apply: the typed clients re-serialize bodies through
// their models, which renames or drops schema keys such as `x-kubernetes-*`, `default`, `enum`
// in CRDs; apply needs the object sent exactly as built.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

/** A non-2xx answer; `code` and `body` match what ApiException carries, so explainKubeError reads both. */
export class RestError extends Error {
  constructor(readonly code: number, readonly body: string, what: string) {
    super(`${what}: HTTP ${code}`);
  }
}

export interface RestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Sends one request; resolves to the parsed JSON body (or undefined when empty). */
export async function restCall(kc: KubeConfig, method: string, path: string, opts: RestOptions = {}): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no server');
  const url = new URL(server.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const ro: RequestOptions = {
    method,
    headers: {
      Accept: 'application/json',
      // Content-Length always: on a reused (keep-alive) connection a body without it would be
      // read as the start of the next request.
      ...(payload !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
    },
  };
  await kc.applyToHTTPSOptions(ro);
  if (kc.getCurrentCluster()?.skipTLSVerify) ro.rejectUnauthorized = false;
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, ro, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) { reject(new RestError(code, text, `${method} ${url.pathname}`)); return; }
        try { resolve(text ? JSON.parse(text) : undefined); } catch (e) { reject(e); }
      });
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
