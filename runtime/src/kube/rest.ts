// A minimal JSON REST call to the API server, authenticated from a KubeConfig by
// @kubernetes/client-node itself (applyToHTTPSOptions: token, client cert, CA, exec plugins, and
// the shared keep-alive agent of keepAlive.ts). The body goes out exactly as given:
//  - deploy/undeploy (server-side apply) and the test fixtures send CRDs through it, because the
//    typed clients re-serialize bodies through their models, which renames or drops schema keys
//    such as `x-kubernetes-*`, `default`, `enum`;
//  - the controller's hot writes use it because that model walk was a good part of its CPU, and
//    it can ask for a smaller answer (`accept: METADATA_ONLY`).
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError, parseStatus } from './errors';

/** A non-2xx answer; an ApiError (./errors), so it is decoded like client-node's ApiException. */
export class RestError extends ApiError {
  constructor(code: number, override readonly body: string, what: string) {
    const reason = reasonOf(body);
    super(code, body, `${what}: HTTP ${code}${reason ? `: ${reason}` : ''}`);
  }
}

/** The Status message of a body, or the start of a body that is not JSON. */
function reasonOf(body: string): string {
  const st = parseStatus(body);
  return st ? st.message ?? '' : body.slice(0, 200);
}

/**
 * Accept header asking for the object's metadata only (kind PartialObjectMetadata), falling back
 * to the whole object on a server that cannot transform. A write's answer is then a few hundred
 * bytes instead of the object the server just stored, which it would otherwise encode once more.
 */
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

export interface RestOptions {
  body?: unknown;
  accept?: string;
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
      Accept: opts.accept ?? 'application/json',
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
