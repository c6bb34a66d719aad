// The three OpenELB CustomResourceDefinitions, built from the schemas in openapi.ts with our own
// field descriptions (fieldDocs.ts) merged in. Used to install the API into a cluster (tests,
// `openelb deploy`): group network.kubesphere.io, cluster-scoped, both versions served,
// v1alpha2 stored and the only one with a status subresource (as OpenELB v0.6 ships them).
import { FIELD_DOCS } from './fieldDocs';
import { OPENAPI } from './openapi';
import { GROUP, KINDS, PLURALS, STORAGE_VERSION, VERSIONS, type JSONSchemaProps, type Kind } from './types';

const NAMES: Record<Kind, { plural: string; singular: string; listKind: string }> = {
  Eip: { plural: PLURALS.Eip, singular: 'eip', listKind: 'EipList' },
  BgpConf: { plural: PLURALS.BgpConf, singular: 'bgpconf', listKind: 'BgpConfList' },
  BgpPeer: { plural: PLURALS.BgpPeer, singular: 'bgppeer', listKind: 'BgpPeerList' },
};

/** The plural resource name of a kind (eips, bgpconfs, bgppeers). */
export function pluralOf(kind: Kind): string {
  return NAMES[kind].plural;
}

const EIP_COLUMNS = [
  { name: 'cidr', type: 'string', jsonPath: '.spec.address' },
  { name: 'usage', type: 'integer', jsonPath: '.status.usage' },
  { name: 'total', type: 'integer', jsonPath: '.status.poolSize' },
];

/**
 * Our controller reports why an Eip cannot be used in `status.conditions` (the usual
 * Kubernetes condition shape). OpenELB's schema has no such field and the API server prunes
 * unknown fields, so the stored version's Eip status gets it here.
 */
const CONDITIONS: JSONSchemaProps = {
  type: 'array',
  description: 'Observations of the controller, e.g. type Valid=False with the reason the pool is not used.',
  items: {
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: { type: 'string' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      reason: { type: 'string' },
      message: { type: 'string' },
      lastTransitionTime: { type: 'string', format: 'date-time' },
      observedGeneration: { type: 'integer' },
    },
  },
};

/**
 * status.used (address → Services) as the API server gets it: one atomic value whose entries it
 * neither prunes nor validates one by one. The controller rewrites the whole map at every commit,
 * and with a schema per entry (`additionalProperties: {type: string}`, as in openapi.ts, which the
 * language server checks) each write cost the API server about 26 µs of CPU per listed address;
 * without it, about 14 µs (measured one write at a time with 1,000 addresses: 29 ms → 18 ms).
 * Only the controller writes it, and it reads every entry back with the address parser.
 * Atomic, so managedFields holds one field for the map instead of one per address.
 */
function usedForServer(used: JSONSchemaProps): JSONSchemaProps {
  return {
    type: 'object', description: used.description,
    'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-map-type': 'atomic',
  };
}

/** How many mirrors of the controller's allocation journal status.used has taken in (runtime/src/controller/journal.ts). */
const JOURNAL_GEN: JSONSchemaProps = {
  type: 'integer', minimum: 0,
  description: 'How many batches of the controller\'s allocation journal status.used has taken in (written by the controller).',
};

function schemaOf(kind: Kind, version: (typeof VERSIONS)[number]): JSONSchemaProps {
  const schema = withDocs(kind, OPENAPI[kind][version]);
  const status = schema.properties?.status;
  if (kind === 'Eip' && status?.properties?.used) {
    status.properties = { ...status.properties, used: usedForServer(status.properties.used) };
  }
  if (kind === 'Eip' && version === STORAGE_VERSION && status) {
    status.properties = { ...status.properties, conditions: CONDITIONS, journalGen: JOURNAL_GEN };
  }
  return schema;
}

/** A deep copy of a schema with `description`s filled in from FIELD_DOCS where we have one. */
function withDocs(kind: Kind, schema: JSONSchemaProps, path: string[] = []): JSONSchemaProps {
  const out: JSONSchemaProps = { ...schema };
  const doc = path.length ? FIELD_DOCS[`${kind} ${path.join('.')}`] : undefined;
  if (doc && !out.description) out.description = doc;
  if (schema.properties) {
    out.properties = {};
    for (const [name, child] of Object.entries(schema.properties)) {
      out.properties[name] = withDocs(kind, child, [...path, name]);
    }
  }
  if (schema.items) out.items = withDocs(kind, schema.items, path);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    out.additionalProperties = withDocs(kind, schema.additionalProperties, path.concat('*'));
  }
  if (schema.enum) out.enum = [...schema.enum];
  if (schema.required) out.required = [...schema.required];
  return out;
}

export function buildCrd(kind: Kind): object {
  const names = NAMES[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Cluster',
      names: { kind, ...names, ...(kind === 'Eip' ? { categories: ['networking'] } : {}) },
      versions: VERSIONS.map((version) => ({
        name: version,
        served: true,
        storage: version === STORAGE_VERSION,
        schema: { openAPIV3Schema: schemaOf(kind, version) },
        ...(version === STORAGE_VERSION ? { subresources: { status: {} } } : {}),
        ...(kind === 'Eip' ? { additionalPrinterColumns: EIP_COLUMNS } : {}),
      })),
    },
  };
}

/** The CRDs of Eip, BgpConf and BgpPeer, ready to create with the apiextensions API. */
export function buildCrds(): object[] {
  return KINDS.map(buildCrd);
}
