// YAML texts shared by the protocol, robustness and fuzz tests. Line numbers in the comments are
// 0-based, as LSP counts them; the tests assert diagnostics at exactly these places.

/** One file, seven documents, six kinds of mistake and one look-alike that must stay silent. */
export const MISTAKES = `apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: reversed
spec:
  address: 192.168.0.20-192.168.0.10
---
apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: l2
spec:
  address: 10.0.0.0/24
  protocol: layer2
---
apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: typo
spec:
  adress: 10.1.0.1
---
apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: pool-a
spec:
  address: 172.16.0.0/28
---
apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: pool-b
spec:
  address: 172.16.0.10-172.16.0.20
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    lb.kubesphere.io/v1alpha1: openelb
    eip.openelb.kubesphere.io/v1alpha2: nosuch
spec:
  type: LoadBalancer
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  address: 1.2.3.4
`;

/** First line of the Deployment document of MISTAKES: nothing from there on may be reported. */
export const MISTAKES_DEPLOYMENT_LINE = 47;

/** [code, severity (1 error, 2 warning), startLine, startChar, endLine, endChar] of MISTAKES. */
export const MISTAKES_EXPECTED: [string, number, number, number, number, number][] = [
  ['eip-address-range-reversed', 1, 5, 11, 5, 36], //   address: 192.168.0.20-192.168.0.10 (the whole value)
  ['eip-interface-required', 1, 13, 12, 13, 18], //     protocol: layer2 (the value)
  ['schema-required', 1, 19, 0, 19, 4], //              spec: (of Eip 'typo', which has no address)
  ['schema-unknown-field', 1, 20, 2, 20, 8], //         adress (the key)
  ['eip-overlap', 1, 27, 11, 27, 24], //                pool-a 172.16.0.0/28
  ['eip-overlap', 1, 34, 11, 34, 34], //                pool-b 172.16.0.10-172.16.0.20
  ['service-unknown-eip', 2, 42, 40, 42, 46], //        eip.openelb.kubesphere.io/v1alpha2: nosuch
];

/** A clean layer2 Eip, a BGP Eip, a BgpConf, a BgpPeer and a Service: no diagnostics. */
export const VALID = `apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: eip-layer2
  annotations:
    eip.openelb.kubesphere.io/is-default-eip: "true"
spec:
  address: 192.168.0.91-192.168.0.100
  protocol: layer2
  interface: eth0
---
apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: eip-bgp
spec:
  address: 172.22.0.0/28
  protocol: bgp
---
apiVersion: network.kubesphere.io/v1alpha2
kind: BgpConf
metadata:
  name: default
spec:
  as: 50001
  listenPort: 17900
  routerId: 192.168.0.10
---
apiVersion: network.kubesphere.io/v1alpha2
kind: BgpPeer
metadata:
  name: peer
spec:
  conf:
    peerAs: 50000
    neighborAddress: 192.168.0.2
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    lb.kubesphere.io/v1alpha1: openelb
    protocol.openelb.kubesphere.io/v1alpha1: layer2
    eip.openelb.kubesphere.io/v1alpha2: eip-layer2
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - port: 80
`;

/** A v1alpha1 BgpConf whose migration renames two fields. */
export const V1ALPHA1_BGPCONF = `apiVersion: network.kubesphere.io/v1alpha1
kind: BgpConf
metadata:
  name: default
spec:
  as: 50001
  routerID: 192.168.0.10
  port: 17900
`;

export const V1ALPHA1_BGPCONF_MIGRATED = `apiVersion: network.kubesphere.io/v1alpha2
kind: BgpConf
metadata:
  name: default
spec:
  as: 50001
  routerId: 192.168.0.10
  listenPort: 17900
`;

/** A layer2 Eip alone (for cluster-facts tests). */
export function layer2Eip(name: string, address: string, itf = 'eth0'): string {
  return `apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: ${name}
spec:
  address: ${address}
  protocol: layer2
  interface: ${itf}
`;
}
