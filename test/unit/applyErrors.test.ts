// Apply Current File: a server-side apply refusal of an unknown field comes back as HTTP 500
// with no details.causes, the field path only in the message (structured-merge-diff's wording).
// It must land on the field's line, not on the document's first line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldsInMessage, objectsOf, parseFieldPath, problemsOf, rangeOfField } from '../../client/src/commands/applyErrors';

// The body a kube-apiserver (v1.31) answers to a server-side apply of an Eip with spec.interfce
// (test/cluster/lintCluster.test.ts checks the real server still words it this way).
const UNKNOWN_FIELD = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500,
  message: 'failed to create typed patch object (network.kubesphere.io/v1alpha2, Kind=Eip) /pool-a: .spec.interfce: field not declared in schema',
};
const TWO_FIELDS = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500,
  message: 'failed to create typed patch object (network.kubesphere.io/v1alpha2, Kind=Eip) /pool-a: errors:\n  .spec.interfce: field not declared in schema\n  .spec.protocoll: field not declared in schema',
};
const YAML = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: pool-a\nspec:\n  address: 10.0.0.0/24\n  interfce: eth0\n  protocoll: layer2\n';

describe('apply refusals without causes', () => {
  it('an unknown field in the message becomes a problem on that field', () => {
    assert.deepEqual(problemsOf(UNKNOWN_FIELD, 'fallback'), [{ field: 'spec.interfce', message: 'spec.interfce: field not declared in schema' }]);
    assert.deepEqual(problemsOf(JSON.stringify(UNKNOWN_FIELD), 'fallback').map((p) => p.field), ['spec.interfce'], 'the body as text too');
  });

  it('each field of a multi-error message, pointed at its own line', () => {
    const problems = problemsOf(TWO_FIELDS, 'fallback');
    assert.deepEqual(problems.map((p) => p.field), ['spec.interfce', 'spec.protocoll']);
    const { objects } = objectsOf(YAML);
    const lineOf = (off: number): number => YAML.slice(0, off).split('\n').length - 1;
    assert.deepEqual(problems.map((p) => lineOf(rangeOfField(objects[0].doc, parseFieldPath(p.field!), [0, 1])[0])), [6, 7]);
  });

  it('messages without a field path keep the whole message', () => {
    const body = { kind: 'Status', code: 500, message: 'Internal error occurred: resource quota evaluation timed out' };
    assert.deepEqual(problemsOf(body, 'fallback'), [{ message: 'Internal error occurred: resource quota evaluation timed out' }]);
    assert.deepEqual(fieldsInMessage('conflict with "kubectl" using v1 (network.kubesphere.io/v1alpha2, Kind=Eip)'), []);
  });
});
