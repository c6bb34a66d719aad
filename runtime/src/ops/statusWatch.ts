// `openelb status --watch`: re-renders the status whenever an Eip or a Service changes. Driven by
// informers (../kube/informer: no polling; they reconnect with backoff and re-list after 410).
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { GROUP, STORAGE_VERSION } from '@openelb/core/api/types';
import { explainKubeError } from '../kube/errors';
import { makeInformer, type Informer, type ListPage } from '../kube/informer';
import { formatStatus, readStatus } from './status';

export interface StatusWatchHandle { stop(): void }

/**
 * Calls `onText` with the rendered status at start and each time it renders differently.
 * `onError` gets user-facing messages (the watch keeps trying).
 */
export function watchStatus(kc: KubeConfig, onText: (text: string) => void, onError: (msg: string) => void): StatusWatchHandle {
  let stopped = false;
  let last = '';
  let timer: NodeJS.Timeout | undefined;

  const refresh = (): void => {
    if (timer || stopped) return;
    // Coalesce a burst of events (an allocation touches the Eip and the Service) into one read.
    timer = setTimeout(() => {
      timer = undefined;
      readStatus(kc).then((s) => {
        const text = formatStatus(s);
        if (text !== last && !stopped) { last = text; onText(text); }
      }, (e: unknown) => onError((e as Error).message));
    }, 150);
  };

  const follow = (inf: Informer<KubernetesObject>, what: string): Informer<KubernetesObject> => {
    for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, refresh);
    inf.on('error', (err) => { if (!stopped) onError(explainKubeError(err, kc, 'watch', what)); });
    void inf.start();
    return inf;
  };

  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  refresh();
  const informers = [
    follow(makeInformer(kc, `/apis/${GROUP}/${STORAGE_VERSION}/eips`,
      () => custom.listClusterCustomObject({ group: GROUP, version: STORAGE_VERSION, plural: 'eips' }) as Promise<ListPage<KubernetesObject>>), `eips.${GROUP}`),
    follow(makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces() as Promise<ListPage<KubernetesObject>>), 'services'),
  ];
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const inf of informers) void inf.stop();
    },
  };
}
