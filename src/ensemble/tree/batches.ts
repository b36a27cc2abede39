/**
 * How znode operations are grouped into multis and sent (pure planning, and a small runner).
 *
 * A multi is atomic: all of its operations happen or none. It is also one request, and a
 * server drops a connection whose request exceeds jute.maxbuffer (1 MiB by default), so each
 * batch is kept well under that. Batches are cut from a list in a workable order (parents
 * before children to create, children before parents to delete) and all sent at once, in
 * that order, on one session: ZooKeeper runs one session's requests in the order sent and
 * checks each against the changes of those before it, even before they commit. So a later
 * batch may delete a parent whose children an earlier one deletes, without waiting for it.
 */
import type { AclEntry } from '../../zk/znodes.js';

/** Half of jute.maxbuffer: room for the server's own framing of a forwarded request. */
export const MAX_BATCH_BYTES = 512 * 1024;
/** Enough that a few thousand small nodes go in one multi, one write to each server's log. */
export const MAX_BATCH_OPS = 5000;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The bytes one operation adds to a multi request, as jute writes it: a MultiHeader (type,
 * done flag, error: 9 bytes), then the request — strings and buffers with a 4-byte length.
 */
export function createBytes(path: string, data: Uint8Array | null, acl: readonly AclEntry[]): number {
  const aclBytes = acl.reduce((n, a) => n + 4 + 4 + utf8(a.scheme) + 4 + utf8(a.id), 4);
  // path, data, ACL vector, flags, and a TTL's 8 bytes (counted for every create: simpler, safe).
  return 9 + 4 + utf8(path) + 4 + (data?.length ?? 0) + aclBytes + 4 + 8;
}

export function deleteBytes(path: string): number {
  return 9 + 4 + utf8(path) + 4;
}

/** Cuts `items` (in a workable order) into batches within the limits, keeping the order. */
export function planBatches<T extends { bytes: number }>(items: readonly T[], limits = { bytes: MAX_BATCH_BYTES, ops: MAX_BATCH_OPS }): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length && (bytes + item.bytes > limits.bytes || current.length >= limits.ops)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length) batches.push(current);
  return batches;
}

/**
 * Sends every batch at once, in order (see above), and waits for all. Throws the failure of
 * the first batch that failed, with the number of items committed in all batches on it
 * (`committed`): the batches after a failed one fail too when they needed it, and succeed
 * when they did not, so a caller can say exactly how much was done.
 */
export async function runBatches<T>(batches: readonly T[][], run: (items: T[]) => Promise<void>): Promise<number> {
  const outcomes = await Promise.allSettled(batches.map((b) => run(b)));
  const committed = outcomes.reduce((n, o, i) => n + (o.status === 'fulfilled' ? batches[i]!.length : 0), 0);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw Object.assign(failed.reason as object, { committed });
  return committed;
}
