// Plain JSON requests to the API server, for the controller's hot writes. The typed clients walk
// every object through their models on the way out and back (measurable at hundreds of writes a
// second) and cannot ask for a smaller answer; here the body goes out as it is, on the same
// keep-alive connections (applyToHTTPSOptions hands out the KubeConfig's agent, see keepAlive.ts),
// and the caller chooses the Accept header.
//
//   const obj = await kubeJson(kc, 'PUT', '/apis/g/v1/things/a/status', body, { accept: METADATA_ONLY });
import { request } from 'node:https';
import { request as httpRequest, type RequestOptions } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * Accept header asking for the object's metadata only (kind PartialObjectMetadata), falling back
 * to the whole object on a server that cannot transform. A write's answer is then a few hundred
 * bytes instead of the object the server just stored, which it would otherwise encode once more.
 */
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** A non-2xx answer. `code` is the HTTP status, as isConflict/isNotFound (./client) read it. */
export class KubeHttpError extends Error {
  constructor(readonly code: number, readonly body: string, what: string) {
    let reason = '';
    try { reason = (JSON.parse(body) as { message?: string }).message ?? ''; } catch { reason = body.slice(0, 200); }
    super(`${what}: HTTP ${code}${reason ? `: ${reason}` : ''}`);
  }
}

export interface JsonOptions {
  accept?: string;
  contentType?: string;
  /** Default 60 s, the API server's own limit for a request (--request-timeout). */
  timeoutMs?: number;
}

export async function kubeJson(kc: KubeConfig, method: string, path: string, body?: unknown, opts: JsonOptions = {}): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no server');
  const url = new URL(server.replace(/\/$/, '') + path);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const ro: RequestOptions & { rejectUnauthorized?: boolean } = {
    method,
    headers: {
      Accept: opts.accept ?? 'application/json',
      // Content-Length always: on a keep-alive connection a body without it would be chunked,
      // and an exact length lets the server read it in one go.
      ...(payload !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
    },
  };
  await kc.applyToHTTPSOptions(ro); // credentials, TLS options and the shared keep-alive agent
  const send = url.protocol === 'http:' ? httpRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(url, ro, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) { reject(new KubeHttpError(code, text, `${method} ${url.pathname}`)); return; }
        try { resolve(text ? JSON.parse(text) : undefined); } catch (e) { reject(e); }
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(Object.assign(new Error(`${method} ${url.pathname}: timed out`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}
