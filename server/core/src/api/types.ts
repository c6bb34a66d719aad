// The subset of OpenAPI v3 (as Kubernetes CRDs use it) that this project reads.
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: (string | number | boolean)[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export const GROUP = 'network.kubesphere.io';
export const KINDS = ['Eip', 'BgpConf', 'BgpPeer'] as const;
export type Kind = (typeof KINDS)[number];
export const VERSIONS = ['v1alpha1', 'v1alpha2'] as const;
export type Version = (typeof VERSIONS)[number];
export const STORAGE_VERSION: Version = 'v1alpha2';
/** REST resource names of the kinds (cluster-scoped): /apis/GROUP/VERSION/PLURAL. */
export const PLURALS: Record<Kind, string> = { Eip: 'eips', BgpConf: 'bgpconfs', BgpPeer: 'bgppeers' };
