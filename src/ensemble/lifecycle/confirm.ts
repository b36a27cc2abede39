/**
 * Whether a launched server really started. zkServer.sh reports STARTED when the JVM is still
 * alive one second after the fork; on a busy machine a server whose data cannot be loaded
 * (epoch files out of step, a snapshot missing) dies a moment later, after the script has
 * said STARTED. ZooKeeper opens its client port only once its data is loaded
 * (QuorumPeer.start: loadDataBase, then the connection factory), so an answer there proves
 * the data loaded, and a process gone before it answered is a failed start.
 */
import { askServer, fourLetterTls } from '../security/client.js';
import type { EnsembleSpec, Member } from '../../options/types.js';
import { liveServersFor } from '../observe/identity.js';
import { sleep } from '../observe/wait-healthy.js';
import { startFailure, type ServerContext } from './servers.js';

/**
 * Resolves once the server answers on its client port (any reply, even "not currently
 * serving"), or after `timeoutMs` while its process still runs (a slow boot is left to
 * `status` and `--wait`); throws the named start failure when its process is gone first.
 */
export async function confirmStarted(ctx: ServerContext, spec: EnsembleSpec, member: Member, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const secure = await fourLetterTls(ctx.paths, spec);
  for (;;) {
    const live = (await liveServersFor(ctx.paths, [member.id])).get(member.id);
    if (!live) throw await startFailure(ctx.paths, spec, member.id, `server ${member.id} exited right after zkServer.sh started it`);
    if (await askServer(spec, member, 'srvr', 500, secure).then(() => true, () => false)) return;
    if (Date.now() >= deadline) return;
    await sleep(100);
  }
}
