// API error decoding (runtime/src/kube/errors.ts), shared by the runtime, the CLI and the
// extension: Status bodies (reason, message, causes, retryAfterSeconds), every error shape the
// clients produce, network codes deep in `cause` chains, and the user-facing explanations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import {
  apiStatus, describeError, errorFromStatus, explainKubeError, isConflict, isGone, isNotFound, networkCode,
  parseStatus, retryAfterMs, shortError, statusCode,
} from '../../runtime/src/kube/errors';
import { RestError } from '../../runtime/src/kube/rest';

const invalid = {
  kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 422, reason: 'Invalid',
  message: 'Eip.network.kubesphere.io "x" is invalid: spec.protocol: Unsupported value: "layer3"',
  details: { name: 'x', causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "layer3"', field: 'spec.protocol' }] },
};

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://10.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'dev', token: 'SECRET-TOKEN' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'dev' }],
    currentContext: 'ctx',
  });
  return kc;
}

describe('Status bodies', () => {
  it('reads reason, message, causes and retryAfterSeconds from JSON text or an object', () => {
    for (const body of [invalid, JSON.stringify(invalid)]) {
      const s = parseStatus(body);
      assert.equal(s?.code, 422);
      assert.equal(s?.reason, 'Invalid');
      assert.match(s?.message ?? '', /is invalid/);
      assert.deepEqual(s?.causes, invalid.details.causes);
    }
    assert.equal(parseStatus({ code: 429, details: { retryAfterSeconds: 3 } })?.retryAfterSeconds, 3);
    assert.equal(parseStatus('<html>502 Bad Gateway</html>'), undefined);
    assert.equal(parseStatus('[1]'), undefined);
    assert.deepEqual(parseStatus({ details: { causes: 'nonsense' } })?.causes, []);
  });

  it('decodes every error shape: ApiException, RestError, watch errors, ERROR events', () => {
    const api = new ApiException(409, 'conflict', JSON.stringify({ kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' }), {});
    assert.equal(statusCode(api), 409);
    assert.ok(isConflict(api));
    assert.deepEqual(apiStatus(api), { code: 409, reason: 'Conflict', message: 'the object has been modified', causes: [], retryAfterSeconds: undefined });
    assert.equal(describeError(api), 'HTTP 409: the object has been modified');

    const rest = new RestError(422, JSON.stringify(invalid), 'PATCH /apis/x');
    assert.equal(rest.message, `PATCH /apis/x: HTTP 422: ${invalid.message}`);
    assert.equal(apiStatus(rest)?.causes[0].field, 'spec.protocol');
    assert.equal(new RestError(502, '<html>bad gateway</html>', 'GET /x').message, 'GET /x: HTTP 502: <html>bad gateway</html>');

    // client-node's Watch: an Error with statusCode and the status text, no body.
    const watch = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    assert.deepEqual(apiStatus(watch), { code: 403, reason: '', message: 'Forbidden', causes: [], retryAfterSeconds: undefined });
    assert.equal(describeError(watch), 'HTTP 403: Forbidden');

    const gone = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' };
    assert.ok(isGone(gone));
    const fromEvent = errorFromStatus(gone);
    assert.ok(isGone(fromEvent));
    assert.equal(describeError(fromEvent), 'HTTP 410: too old resource version');
    assert.ok(isNotFound(new ApiException(404, 'nf', '', {})));
    assert.equal(describeError(new ApiException(404, 'nf', '', {})), 'HTTP 404', 'an ApiException message (a response dump) is never shown');
  });

  it('leaves other errors alone', () => {
    assert.equal(statusCode(new Error('x')), undefined);
    assert.equal(statusCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), undefined);
    assert.equal(describeError('plain'), 'plain');
    assert.equal(shortError(new Error(`first line ${'x'.repeat(300)}\nsecond`)).length, 200);
  });
});

describe('network errors', () => {
  it('finds the code on the error, in errno, or down the cause chain', () => {
    assert.equal(networkCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(networkCode(Object.assign(new Error('x'), { errno: 'ENOTFOUND' })), 'ENOTFOUND');
    const fetchError = new Error('request to https://10.0.0.1:6443/api failed', { cause: new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'CERT_HAS_EXPIRED' }) }) });
    assert.equal(networkCode(fetchError), 'CERT_HAS_EXPIRED');
    assert.equal(networkCode(Object.assign(new Error('x'), { code: 'EACCES' })), undefined);
    assert.equal(networkCode(new ApiException(500, 'x', '', {})), undefined);
  });
});

describe('explanations', () => {
  const kc = kubeConfig();
  it('names the server, user, verb and resource, and never a credential', () => {
    const down = explainKubeError(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }), kc, 'list', 'services');
    assert.match(down, /^cannot reach the API server at https:\/\/10\.0\.0\.1:6443: ECONNREFUSED/);
    const forbidden = explainKubeError(new ApiException(403, 'f', JSON.stringify({ code: 403, message: 'configmaps "kube-proxy" is forbidden' }), {}), kc, 'get', 'configmaps kube-system/kube-proxy');
    assert.match(forbidden, /^RBAC refused to let kubeconfig user "dev" get configmaps kube-system\/kube-proxy \(HTTP 403 Forbidden\): configmaps "kube-proxy" is forbidden\. /);
    const unauthorized = explainKubeError(new ApiException(401, 'u', '', {}), kc, 'list', 'eips');
    assert.match(unauthorized, /rejected the credentials of kubeconfig user "dev" \(HTTP 401 Unauthorized\) while trying to list eips/);
    assert.equal(explainKubeError(new RestError(422, JSON.stringify(invalid), 'PATCH /x'), kc, 'apply', 'eips/x'), `apply eips/x failed: HTTP 422: ${invalid.message}`);
    assert.equal(explainKubeError(new Error('boom'), kc, 'get', 'nodes'), 'get nodes failed: boom');
    for (const m of [down, forbidden, unauthorized]) assert.ok(!m.includes('SECRET-TOKEN'));
  });

  it('waits what a 429 asks, within 0.1 to 5 s', () => {
    const tooMany = (secs?: number) => new ApiException(429, 't', JSON.stringify({ code: 429, details: secs === undefined ? {} : { retryAfterSeconds: secs } }), {});
    assert.equal(retryAfterMs(tooMany(2)), 2000);
    assert.equal(retryAfterMs(tooMany()), 1000);
    assert.equal(retryAfterMs(tooMany(60)), 5000);
    assert.equal(retryAfterMs(tooMany(0)), 100);
  });
});
