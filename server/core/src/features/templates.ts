// Whole-document templates offered in an empty document (LSP snippet syntax).
// The VS Code snippets in snippets/ are generated from these by the build.
export interface Template {
  label: string;
  prefix: string;
  detail: string;
  body: string;
}

export const TEMPLATES: Template[] = [
  {
    label: 'Eip (layer2)', prefix: 'openelb-eip-layer2', detail: 'Address pool answered by ARP/NDP on a node NIC',
    body: 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: ${1:eip-layer2}\nspec:\n  address: ${2:192.168.0.91-192.168.0.100}\n  protocol: layer2\n  interface: ${3:eth0}\n  disable: false\n',
  },
  {
    label: 'Eip (bgp)', prefix: 'openelb-eip-bgp', detail: 'Address pool announced to BGP peers',
    body: 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: ${1:eip-bgp}\nspec:\n  address: ${2:172.22.0.0/28}\n  protocol: bgp\n',
  },
  {
    label: 'Eip (vip)', prefix: 'openelb-eip-vip', detail: 'Address pool served by keepalived VRRP',
    body: 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: ${1:eip-vip}\nspec:\n  address: ${2:192.168.0.120-192.168.0.130}\n  protocol: vip\n  interface: ${3:eth0}\n',
  },
  {
    label: 'BgpConf', prefix: 'openelb-bgpconf', detail: 'The local BGP speaker (must be named default)',
    body: 'apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpConf\nmetadata:\n  name: default\nspec:\n  as: ${1:50001}\n  listenPort: ${2:17900}\n  routerId: ${3:192.168.0.10}\n',
  },
  {
    label: 'BgpPeer', prefix: 'openelb-bgppeer', detail: 'A BGP neighbour router',
    body: 'apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nmetadata:\n  name: ${1:bgppeer}\nspec:\n  conf:\n    peerAs: ${2:50000}\n    neighborAddress: ${3:192.168.0.2}\n',
  },
  {
    label: 'Service (OpenELB LoadBalancer)', prefix: 'openelb-service', detail: 'A LoadBalancer Service served by OpenELB',
    body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ${1:my-service}\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: ${2:eip-layer2}\nspec:\n  type: LoadBalancer\n  selector:\n    app: ${3:my-app}\n  ports:\n    - name: http\n      port: ${4:80}\n      targetPort: ${5:8080}\n',
  },
];
