// Facts about Eips and nodes known from outside the current file: other workspace files and
// the live cluster. The editor client gathers them; the service only reads them.
import { parsePoolCached, type Pool } from '../address/pool';
import { EIP_DEFAULT_ANNOTATION } from '../api/annotations';
import { restrictedBinding, type NamespaceBinding } from '../api/namespaceAccess';
import { isScalar, toPlain, type AstNode } from './ast';
import type { EipCatalog } from './eipCatalog';
import { getNode, getString, scalarString, type Resource } from './resource';

export type FactSource = 'file' | 'workspace' | 'cluster';

export interface EipFact {
  name: string;
  address: string;
  protocol?: string;
  interface?: string;
  disable?: boolean;
  isDefault: boolean;
  source: FactSource;
  /** File and position of the address (workspace and current file). */
  uri?: string;
  start?: number;
  end?: number;
  line?: number;
  character?: number;
  /** Parsed pool; undefined when the address is invalid. */
  pool?: Pool;
  /** Set when the Eip is restricted to the namespaces it binds (api/namespaceAccess.ts). */
  restrictedTo?: NamespaceBinding;
}

export interface NodeInterface {
  name: string;
  mac?: string;
  /** CIDR strings, e.g. "192.168.0.5/24". */
  addresses: string[];
}

export interface NodeFact {
  name: string;
  internalIP?: string;
  interfaces?: NodeInterface[];
  /** The node's rack label (openelb.kubesphere.io/rack), for BgpConf asPerRack. */
  rack?: string;
}

export interface ServiceFact {
  namespace: string;
  name: string;
  eip?: string;
  ip?: string;
}

/** What the service knows beyond the text it is given. All optional. */
export interface Facts {
  /** Eips of other workspace files (never of the current file). */
  workspaceEips?: EipFact[];
  /**
   * The workspace Eips of every file (the current one's too) and the cluster's, indexed once per
   * facts version and shared by every file checked; the rules leave the current file's own
   * entries out. Without it the rules index workspaceEips and the cluster's Eips themselves.
   */
  catalog?: EipCatalog;
  /** Live cluster state, when connected. */
  cluster?: { context?: string; eips: EipFact[]; nodes: NodeFact[]; services: ServiceFact[] };
  /** Names of the Eips this file held when the service first saw it (on disk, else as opened): an
   * Eip deleted from the file since is an impact to report (rules/eipImpact.ts). */
  heldBefore?: readonly string[];
}


/** Where a fact comes from, for messages: "in this file", "in pools.yaml", "in the cluster". */
export function factWhere(f: EipFact): string {
  if (f.source === 'cluster') return 'in the cluster';
  if (f.source === 'workspace') return `in ${f.uri?.split('/').pop() ?? 'another file'}`;
  return 'in this file';
}

const isExactTrue = (n: AstNode | undefined): boolean => isScalar(n) && n.value === 'true';

type LocalFact = Omit<EipFact, 'source' | 'uri'>;

function localFact(r: Resource): LocalFact | null {
  const spec = getNode(r.root, ['spec']);
  const addrNode = getNode(spec, ['address']);
  const address = scalarString(addrNode);
  if (address === undefined || !r.name) return null;
  return {
    name: r.name,
    address,
    protocol: getString(spec, ['protocol']),
    interface: getString(spec, ['interface']),
    disable: getString(spec, ['disable']) === 'true',
    // Exactly the string "true" (an unquoted boolean is not a valid annotation value).
    isDefault: isExactTrue(getNode(r.root, ['metadata', 'annotations', EIP_DEFAULT_ANNOTATION])),
    start: addrNode?.start,
    end: addrNode?.end,
    pool: parsePoolCached(address).pool,
    restrictedTo: restrictedBinding(toPlain(getNode(r.root, ['metadata', 'annotations']) ?? null), toPlain(spec ?? null)),
  };
}

/** Reads the Eips of one file (for the current file, or to index a workspace file). */
export function eipFacts(resources: Resource[], uri: string, source: FactSource): EipFact[] {
  const out: EipFact[] = [];
  for (const r of resources) {
    if (r.openelb?.kind !== 'Eip') continue;
    // Per parsed document (in its memo): its Eip fact with offsets relative to the document.
    let f = r.memo.fact as LocalFact | null | undefined;
    if (f === undefined) r.memo.fact = f = localFact(r);
    if (!f) continue;
    out.push({
      name: f.name, address: f.address, protocol: f.protocol, interface: f.interface, disable: f.disable, isDefault: f.isDefault,
      source, uri, start: f.start === undefined ? undefined : f.start + r.offset, end: f.end === undefined ? undefined : f.end + r.offset,
      line: undefined, character: undefined, pool: f.pool, restrictedTo: f.restrictedTo,
    });
  }
  return out;
}

/** A fact built from an Eip object of the API server. */
export function eipFactFromObject(obj: { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown> }, source: FactSource = 'cluster'): EipFact | undefined {
  const name = obj.metadata?.name;
  const address = obj.spec?.address;
  if (!name || typeof address !== 'string') return undefined;
  return {
    name, address, source,
    protocol: typeof obj.spec?.protocol === 'string' ? obj.spec.protocol : undefined,
    interface: typeof obj.spec?.interface === 'string' ? obj.spec.interface : undefined,
    disable: obj.spec?.disable === true,
    isDefault: obj.metadata?.annotations?.[EIP_DEFAULT_ANNOTATION] === 'true',
    pool: parsePoolCached(address).pool,
    restrictedTo: restrictedBinding(obj.metadata?.annotations, obj.spec),
  };
}
