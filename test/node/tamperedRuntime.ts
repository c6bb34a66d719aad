// The node tier's integrity step: another bundle written into the runtime ConfigMap (what anyone
// with write access to it could do) must not run on a node. The next speaker pod's bootstrap
// compares the stored bytes with the SHA-256 in its own pod spec and refuses to start, and says
// why in the container's termination message; `openelb deploy` puts the genuine bundle back.
import assert from 'node:assert/strict';
import { brotliCompressSync } from 'node:zlib';
import { REFUSED_EXIT } from '../../runtime/src/ops/bootstrap';
import { poll } from '../harness/support/poll';
import type { Role } from '../harness/nodes/layout';
import type { NodeCluster } from '../harness/nodes/nodeCluster';
import { deletePod, nodeName, openelb, patchRuntimeConfigMap, speakerPodOn, waitSpeakersBack } from '../harness/nodes/steps';

/** What the tampered bundle would print if it ever ran. */
export const TAMPERED_MARK = 'tampered bundle running';

interface Terminated { exitCode: number; message?: string }
interface SpeakerPod { metadata: { name: string }; status?: { containerStatuses?: { state?: { terminated?: Terminated }; lastState?: { terminated?: Terminated } }[] } }

/** Tampers, shows the refusal on `role`'s new speaker pod (returned message), restores. */
export async function tamperedBundleRefused(c: NodeCluster, role: Role, note: (m: string) => void): Promise<string> {
  note('PATCH the runtime ConfigMap: another bundle under openelb.js.br');
  const evil = brotliCompressSync(Buffer.from(`console.log(${JSON.stringify(TAMPERED_MARK)})`)).toString('base64');
  await patchRuntimeConfigMap(c, [{ op: 'replace', path: '/binaryData/openelb.js.br', value: evil }], note);
  note(`delete the speaker pod on ${nodeName(role)}`);
  await deletePod(c, 'openelb-system', (await speakerPodOn(c, role)).metadata.name);
  note('wait for the new pod to refuse to start');
  const refused = await poll(`the new speaker pod on ${nodeName(role)} refusing to start`, async () => {
    const cs = ((await speakerPodOn(c, role)) as SpeakerPod).status?.containerStatuses?.[0];
    const t = cs?.state?.terminated ?? cs?.lastState?.terminated;
    return t?.exitCode === REFUSED_EXIT ? t : undefined;
  }, { timeoutMs: 120_000, everyMs: 250 });
  note('openelb deploy (restores the ConfigMap)');
  const r = await openelb(c, ['deploy']);
  assert.equal(r.status, 0, r.stderr);
  // The refused pod is in CrashLoopBackOff; a new one starts at once on the restored files.
  note(`delete the refused pod on ${nodeName(role)}`);
  await deletePod(c, 'openelb-system', (await speakerPodOn(c, role)).metadata.name);
  note('wait for the speakers to be back');
  await waitSpeakersBack(c);
  return refused.message ?? '';
}
