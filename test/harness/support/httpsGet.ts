// One HTTPS GET for tests that must not depend on the code under test (readiness probes of the
// API servers they start): resolves to [status, body], never throws on an HTTP error status.
import { request, type RequestOptions } from 'node:https';

export function httpsGet(url: string | URL, options: RequestOptions): Promise<[number, string]> {
  return new Promise((res, rej) => {
    const req = request(url, { method: 'GET', timeout: 5000, ...options }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => { body += d; });
      r.on('end', () => res([r.statusCode ?? 0, body]));
    });
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
