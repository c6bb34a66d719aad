// One editor session per describe block: started in before(), stopped in after() (final
// screenshot `zz-final-<name>`, then browser, code-server and cluster), also when a test failed.
// Use it in new editor-tier tests instead of writing the before/after pair again:
//
//   describe('my feature in code-server', { timeout: 600_000 }, () => {
//     const editor = useEditorSession({ name: 'my-feature', crds: true });
//     it('does the thing', async () => {
//       const { page, wb, kc } = editor();
//       await wb.open('eips.yaml');
//     });
//   });
//
// The options are startEditorSession's (session.ts): files, prepare, kubeconfig, untrusted, ...
import { after, before } from 'node:test';
import { startEditorSession, type EditorSession, type SessionOptions } from './session';

export interface EditorSessionOptions extends SessionOptions {
  /** The final screenshot's name (default `zz-final-<name>`). */
  finalShot?: string;
}

/** Registers the hooks; the getter returns the running session (throws if it did not start). */
export function useEditorSession(opts: EditorSessionOptions): () => EditorSession {
  let session: EditorSession | undefined;
  before(async () => {
    session = await startEditorSession(opts);
  });
  after(async () => {
    await session?.stop(opts.finalShot ?? `zz-final-${opts.name}`);
  });
  return () => {
    if (!session) throw new Error(`the editor session "${opts.name}" did not start: see the error of the before hook`);
    return session;
  };
}
