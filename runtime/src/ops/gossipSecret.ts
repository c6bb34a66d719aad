// The speakers' gossip key (runtime/src/speaker/node/gossipLink.ts): a Secret of 32 random bytes
// that `openelb deploy` creates once, before the speaker DaemonSet, and never rewrites (a new key
// on every deploy would split running speakers from restarted ones). It is not part of the
// applied manifests: its content is random and never compared, printed or logged. Labelled as
// ours, so undeploy deletes it with the rest of the namespace's runtime state.
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { statusCode } from '../kube/errors';
import { restCall } from '../kube/rest';
import { GOSSIP_SECRET, GOSSIP_SECRET_KEY, LABELS, NAMESPACE } from './names';
import { kubeCall } from './opsError';

export const GOSSIP_KEY_BYTES = 32;

/** The Secret to create (a fresh key each call). */
export function gossipSecret(key = randomBytes(GOSSIP_KEY_BYTES)): object {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: GOSSIP_SECRET, namespace: NAMESPACE, labels: LABELS },
    data: { [GOSSIP_SECRET_KEY]: key.toString('base64') },
  };
}

/** Creates the Secret if absent: 'create', or 'unchanged' when one is there (kept as it is). */
export async function ensureGossipSecret(kc: KubeConfig, dryRun: boolean, namespaceMissing = false): Promise<'create' | 'unchanged'> {
  // A dry run into a namespace that does not exist yet cannot ask: it would be created.
  if (dryRun && namespaceMissing) return 'create';
  const path = `/api/v1/namespaces/${NAMESPACE}/secrets`;
  const what = `secrets ${NAMESPACE}/${GOSSIP_SECRET}`;
  // Only whether it exists: the answer's data is dropped at once, never logged.
  const exists = await kubeCall(kc, 'get', what, () => restCall(kc, 'GET', `${path}/${GOSSIP_SECRET}`)
    .then(() => true, (e: unknown) => { if (statusCode(e) === 404) return false; throw e; }));
  if (exists) return 'unchanged';
  await kubeCall(kc, 'create', what, () => restCall(kc, 'POST', path, { body: gossipSecret(), query: { dryRun: dryRun ? 'All' : undefined } })
    .then(() => undefined, (e: unknown) => { if (statusCode(e) !== 409) throw e; }));
  return 'create';
}
