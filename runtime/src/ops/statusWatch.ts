// `openelb status --watch`: re-renders the status whenever an Eip or a Service changes. Driven by
// API watches (no polling); a closed watch is reopened after a short pause.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, STORAGE_VERSION } from '../../../server/src/core/api/types';
import { explainKubeError } from './kubeconfig';
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
  const aborts: AbortController[] = [];

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

  const open = (path: string, what: string): void => {
    if (stopped) return;
    new Watch(kc).watch(path, { allowWatchBookmarks: false }, () => refresh(), (err: unknown) => {
      if (stopped) return;
      if (err) onError(explainKubeError(err, kc, 'watch', what));
      setTimeout(() => open(path, what), err ? 2000 : 200);
    }).then((a) => { if (stopped) a.abort(); else aborts.push(a); }, (e: unknown) => {
      onError(explainKubeError(e, kc, 'watch', what));
      setTimeout(() => open(path, what), 2000);
    });
  };

  refresh();
  open(`/apis/${GROUP}/${STORAGE_VERSION}/eips`, `eips.${GROUP}`);
  open('/api/v1/services', 'services');
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const a of aborts) a.abort();
    },
  };
}
