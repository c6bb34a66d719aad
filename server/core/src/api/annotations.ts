// Annotation and label keys, finalizers and values that OpenELB defines (facts of its API).
export const LB_ANNOTATION = 'lb.kubesphere.io/v1alpha1';
export const LB_ANNOTATION_VALUE = 'openelb';
/** On a Service: the IP it asks for. */
export const EIP_IP_ANNOTATION = 'eip.openelb.kubesphere.io/v1alpha1';
/** On a Service: the Eip (pool) it asks for. */
export const EIP_POOL_ANNOTATION = 'eip.openelb.kubesphere.io/v1alpha2';
/** On an Eip: "true" makes it the default pool. */
export const EIP_DEFAULT_ANNOTATION = 'eip.openelb.kubesphere.io/is-default-eip';
/**
 * On a Service (ours, under the prefix of OpenELB's address annotations): a sharing key. A
 * Service may take an address another Service holds in another namespace only when both carry
 * the same non-empty key (as MetalLB's allow-shared-ip); within one namespace no key is needed.
 */
export const SHARED_IP_ANNOTATION = 'eip.openelb.kubesphere.io/allow-shared-ip';
/**
 * On an Eip (ours): "true" turns spec.namespaces / spec.namespaceSelector from the namespaces'
 * default pool into an access rule: Services of other namespaces may not use the Eip at all.
 */
export const EIP_RESTRICT_ANNOTATION = 'eip.openelb.kubesphere.io/restrict-to-namespaces';
/** On a Service: bgp, layer2 or vip. */
export const PROTOCOL_ANNOTATION = 'protocol.openelb.kubesphere.io/v1alpha1';
/** On a Node: the address layer2 traffic goes to, when the node has several NICs. */
export const LAYER2_NODE_ANNOTATION = 'layer2.openelb.kubesphere.io/v1alpha1';
/** On a Node: its interfaces, published by our speaker (JSON; see ARCHITECTURE.md). */
export const NODE_INTERFACES_ANNOTATION = 'openelb.kubesphere.io/interfaces';
/** Node label naming its rack (BgpConf asPerRack). */
export const RACK_LABEL = 'openelb.kubesphere.io/rack';
export const SERVICE_FINALIZER = 'finalizer.lb.kubesphere.io/v1alpha1';
export const IPAM_FINALIZER = 'finalizer.ipam.kubesphere.io/v1alpha1';
export const PROTOCOLS = ['bgp', 'layer2', 'vip'] as const;
export const OPENELB_NAMESPACE = 'openelb-system';
