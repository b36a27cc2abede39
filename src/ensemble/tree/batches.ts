/**
 * How many znode operations go into one `multi`, and which multis may run at once (pure).
 *
 * A multi is atomic: all of its operations happen or none. It is also one request, and a
 * server drops a connection whose request exceeds jute.maxbuffer (1 MiB by default), so each
 * batch is kept well under that. Batches are cut from a list already in a workable order
 * (parents before children to create, children before parents to delete); a batch waits only
 * for the earlier batches holding what it needs, so the rest are sent together.
 */
import type { AclEntry } from '../../zk/znodes.js';

/** Half of jute.maxbuffer: room for the server's own framing of a forwarded request. */
export const MAX_BATCH_BYTES = 512 * 1024;
/** A multi is also one transaction every server logs and applies in one go; this keeps each short. */
export const MAX_BATCH_OPS = 1000;

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

export interface BatchItem {
  /** The znode path the operation is on. */
  path: string;
  bytes: number;
  /** Paths whose operations must have committed first (a parent to create, children to delete). */
  after: readonly string[];
}

export interface Batch<T> {
  items: T[];
  /** Indexes of earlier batches this one waits for. */
  deps: number[];
}

/** Cuts `items` (in a workable order) into batches within the limits and works out what each waits for. */
export function planBatches<T extends BatchItem>(items: readonly T[], limits = { bytes: MAX_BATCH_BYTES, ops: MAX_BATCH_OPS }): Batch<T>[] {
  const batches: Batch<T>[] = [];
  const batchOf = new Map<string, number>();
  let current: T[] = [];
  let bytes = 0;
  const close = () => {
    if (!current.length) return;
    const index = batches.length;
    const deps = new Set<number>();
    for (const item of current) for (const p of item.after) {
      const b = batchOf.get(p);
      if (b !== undefined && b !== index) deps.add(b);
    }
    batches.push({ items: current, deps: [...deps].sort((a, b) => a - b) });
    current = [];
    bytes = 0;
  };
  for (const item of items) {
    if (current.length && (bytes + item.bytes > limits.bytes || current.length >= limits.ops)) close();
    current.push(item);
    bytes += item.bytes;
    batchOf.set(item.path, batches.length);
  }
  close();
  return batches;
}

/**
 * Runs every batch as soon as the batches it waits for have committed. After a failure no new
 * batch starts; those already sent are waited for, then the first failure is thrown with the
 * number of items committed meanwhile on it (`committed`), so a caller can say what was done.
 */
export async function runBatches<T>(batches: readonly Batch<T>[], run: (items: T[]) => Promise<void>): Promise<number> {
  const done: Promise<void>[] = [];
  let failed: unknown;
  let committed = 0;
  for (const [i, b] of batches.entries()) {
    done[i] = (async () => {
      await Promise.all(b.deps.map((d) => done[d]));
      if (failed) throw failed;
      try {
        await run(b.items);
        committed += b.items.length;
      } catch (err) {
        failed ??= err;
        throw err;
      }
    })();
    // A rejection is seen through `failed`; keep Node from calling it unhandled meanwhile.
    done[i]!.catch(() => undefined);
  }
  await Promise.allSettled(done);
  if (failed) throw Object.assign(failed as object, { committed });
  return committed;
}
