// The node tier's PKI, made with openssl: one CA; serving certs for the API server and each
// kubelet; client certs for the admin, the API server's kubelet client, each node
// (system:node:<name>), the controller-manager, the scheduler and kube-proxy; a key pair for
// service account tokens. Kubeconfigs embed the certs. ECDSA P-256 keys: fast to make.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  ca: string;
  /** Paths of cert and key by name. */
  cert(name: string): { crt: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`openssl ${args.slice(0, 2).join(' ')}: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e)}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** One cert signed by the CA. Each has its own serial: parallel -CAcreateserial races on ca.srl. */
function issue(dir: string, name: string, subject: string, ext: string): void {
  openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-days', '2',
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

const SERVER_EXT = (sans: string[]) => `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(',')}\n`;
const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';

export interface PkiSpec {
  apiAddress: string;
  kubernetesServiceIp: string;
  nodes: { name: string; ip: string }[];
}

export function makePki(dir: string, spec: PkiSpec): Pki {
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=openelb-node-tier-ca'], dir);
  const apiSans = [`IP:${spec.apiAddress}`, 'IP:127.0.0.1', `IP:${spec.kubernetesServiceIp}`, 'DNS:kubernetes', 'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'];
  issue(dir, 'apiserver', '/CN=kube-apiserver', SERVER_EXT(apiSans));
  issue(dir, 'admin', '/O=system:masters/CN=admin', CLIENT_EXT);
  issue(dir, 'apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', CLIENT_EXT);
  issue(dir, 'controller-manager', '/CN=system:kube-controller-manager', CLIENT_EXT);
  issue(dir, 'scheduler', '/CN=system:kube-scheduler', CLIENT_EXT);
  issue(dir, 'kube-proxy', '/CN=system:kube-proxy', CLIENT_EXT);
  for (const n of spec.nodes) {
    issue(dir, `kubelet-${n.name}`, `/O=system:nodes/CN=system:node:${n.name}`, CLIENT_EXT);
    issue(dir, `kubelet-${n.name}-serving`, `/CN=${n.name}`, SERVER_EXT([`IP:${n.ip}`, `DNS:${n.name}`]));
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  return { dir, ca: join(dir, 'ca.crt'), cert: (name) => ({ crt: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }) };
}

/** A kubeconfig for `user` (a cert made above) against `server`, with everything embedded. */
export function writeKubeconfig(pki: Pki, user: string, server: string, path: string): string {
  const b64 = (p: string) => readFileSync(p).toString('base64');
  const { crt, key } = pki.cert(user);
  writeFileSync(path, `apiVersion: v1
kind: Config
clusters:
- name: node-tier
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.ca)}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(crt)}
    client-key-data: ${b64(key)}
contexts:
- name: node-tier
  context: {cluster: node-tier, user: ${user}}
current-context: node-tier
`, { mode: 0o600 });
  return path;
}
