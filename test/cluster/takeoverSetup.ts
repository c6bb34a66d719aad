// Puts a real API server in the state upstream OpenELB leaves once its pods are gone
// (takeoverFixtures.ts): its Eip CRD, namespace, RBAC, workloads, Eips with status written by its
// IPAM, Services with its finalizer and addresses, and finally its webhooks, which from then on
// make every Service create fail.
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { restCall } from '../../runtime/src/kube/rest';
import {
  GROUP, IPAM_FINALIZER, LEFTOVERS, MANAGER, MUTATING_WEBHOOK, NS, SERVICES, SPEAKER_V06, VALIDATING_WEBHOOK,
  upstreamEip, upstreamEipCrd, upstreamEipStatus, upstreamService,
} from './takeoverFixtures';
import { pluralOfKind } from '../../runtime/src/ops/resources';
import { poll } from '../harness/support/poll';

const EIPS = `/apis/${GROUP}/v1alpha2/eips`;

/** POSTs an object to its collection (kinds of resources.ts plus Jobs, Secrets and webhooks). */
export async function create(kc: KubeConfig, o: object): Promise<unknown> {
  const { apiVersion, kind, metadata } = o as { apiVersion: string; kind: string; metadata: { namespace?: string } };
  const extra: Record<string, string> = {
    Job: 'jobs', Secret: 'secrets', MutatingWebhookConfiguration: 'mutatingwebhookconfigurations', ValidatingWebhookConfiguration: 'validatingwebhookconfigurations',
  };
  const plural = extra[kind] ?? pluralOfKind(kind);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = metadata.namespace ? `/namespaces/${metadata.namespace}` : '';
  return restCall(kc, 'POST', `${base}${ns}/${plural}`, { body: o });
}

/** An Eip and the status upstream's IPAM wrote for it (through the status subresource). */
async function createEip(kc: KubeConfig, body: object, status: Record<string, unknown>): Promise<void> {
  const created = await restCall(kc, 'POST', EIPS, { body }) as { metadata: { name: string } };
  await restCall(kc, 'PUT', `${EIPS}/${created.metadata.name}/status`, { body: { ...created, status } });
}

async function createService(kc: KubeConfig, svc: V1Service, ip: string | undefined): Promise<void> {
  const path = `/api/v1/namespaces/${svc.metadata!.namespace}/services`;
  const got = await restCall(kc, 'POST', path, { body: svc }) as V1Service;
  if (ip) await restCall(kc, 'PUT', `${path}/${svc.metadata!.name}/status`, { body: { ...got, status: { loadBalancer: { ingress: [{ ip }] } } } });
}

export async function installUpstream(kc: KubeConfig): Promise<void> {
  await create(kc, upstreamEipCrd());
  await poll('upstream\'s Eip CRD served', async () => !!(await restCall(kc, 'GET', EIPS)), { timeoutMs: 30_000, everyMs: 100 });
  await create(kc, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const o of [...LEFTOVERS, MANAGER, SPEAKER_V06]) await create(kc, o);
  await createEip(kc, upstreamEip(), upstreamEipStatus());
  // A second pool nothing uses, with upstream's finalizer: deleting it must not hang.
  await createEip(kc, {
    apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip', metadata: { name: 'old-pool', finalizers: [IPAM_FINALIZER] },
    spec: { address: '192.168.1.0/30', protocol: 'layer2', interface: 'eth0' },
  }, { poolSize: 4, usage: 0, firstIP: '192.168.1.0', lastIP: '192.168.1.3', ready: true, v4: true });
  for (const s of SERVICES) await createService(kc, upstreamService(s), s.ip);
  // Deleted while upstream was gone: its finalizer keeps it Terminating.
  await restCall(kc, 'DELETE', `/api/v1/namespaces/default/services/leaving`);
  await create(kc, MUTATING_WEBHOOK);
  await create(kc, VALIDATING_WEBHOOK);
}
