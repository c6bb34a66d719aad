// Names and labels shared by the objects `openelb deploy` creates.

export const NAMESPACE = 'openelb-system';
export const CONTROLLER = 'openelb-controller';
export const SPEAKER = 'openelb-speaker';
export const RUNTIME_CONFIGMAP = 'openelb-runtime';
/** The controller's allocation journal (a ConfigMap next to its Lease; controller/journal.ts). */
export const JOURNAL_CONFIGMAP = 'openelb-journal';
export const FIELD_MANAGER = 'openelb';
/** The speakers' gossip key (32 random bytes), created once by deploy, never rotated by it. */
export { GOSSIP_SECRET, GOSSIP_SECRET_KEY, runtimePodLabels } from '../speaker/node/liveness';
export const MANAGED_BY = 'openelb-toolkit';
/** Node.js 24 is an LTS release supported until April 2028; the bundle targets Node 20+. */
export const DEFAULT_IMAGE = 'node:24-bookworm-slim';
/** The bundled CLI's name: dist/openelb.js, and in the pods RUNTIME_DIR/openelb.js (+ .br). */
export const BUNDLE_NAME = 'openelb.js';
/** Where the runtime ConfigMap is mounted in the pods. */
export const RUNTIME_DIR = '/opt/openelb';
export const METRICS_PORT = 9443;

export const LABELS: Record<string, string> = {
  'app.kubernetes.io/name': 'openelb',
  'app.kubernetes.io/managed-by': MANAGED_BY,
};
