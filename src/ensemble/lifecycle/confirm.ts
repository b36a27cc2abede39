/**
 * Whether a launched server really started. zkServer.sh reports STARTED when the JVM is still
 * alive one second after the fork; on a busy machine a server whose data cannot be loaded
 * (epoch files out of step, a transaction log cut short, a snapshot missing) dies a moment
 * later, after the script has said STARTED. ZooKeeper opens its client port only once its data
 * is loaded (QuorumPeer.start: loadDataBase, then the connection factory), so an answer there
 * proves the data loaded, and a process gone before it answered is a failed start.
 */
import { askServer, fourLetterTls } from '../security/client.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { liveServersFor } from '../observe/identity.js';
import { sleep } from '../observe/wait-healthy.js';
import type { EnsemblePaths } from '../store/layout.js';

/**
 * 'answers' once the server answers on its client port (any reply, even "not currently
 * serving"; over TLS where TLS only closed the plain port); 'slow' after `timeoutMs` while its process still runs (a slow boot is left to
 * `status` and the waits); 'gone' when its process exited first.
 */
export async function settleLaunch(paths: EnsemblePaths, spec: EnsembleSpec, member: Member, launch: { readonly detached: boolean }, timeoutMs = 20_000): Promise<'answers' | 'slow' | 'gone'> {
  const deadline = Date.now() + timeoutMs;
  const secure = await fourLetterTls(paths, spec);
  for (;;) {
    // A healthy quorum already proved the launch (up detaches it then): nothing left to learn.
    if (launch.detached) return 'answers';
    if (!(await liveServersFor(paths, [member.id])).get(member.id)) return 'gone';
    // On a TLS-only ensemble the client port speaks only TLS: the four-letter word goes over it
    // (a plain one there is closed unanswered). A connection closed without a word is no answer.
    if (await askServer(spec, member, 'srvr', 500, secure).then((text) => text.length > 0, () => false)) return 'answers';
    if (Date.now() >= deadline) return 'slow';
    await sleep(100);
  }
}
