/**
 * Why a server exited at start, read from its log (pure). A server killed mid-write can leave
 * a transaction log or snapshot that makes it exit at every start; those are named, and the
 * ones that hold nothing readable are marked safe to move aside.
 */
export interface StartFailure {
  /** The file the server choked on, when the log names one. */
  file?: string;
  /** What the server said, in a few words. */
  problem: string;
  /** True when moving `file` aside cannot lose anything the server could still read. */
  movable: boolean;
  /** The disk ran full: nothing is wrong with the data, there is no room for more. */
  diskFull?: boolean;
  /** The data directory concerned (filled in by the caller, which knows the layout). */
  dataDir?: string;
}

const PATTERNS: { re: RegExp; problem: (m: RegExpExecArray) => string; movable: boolean; diskFull?: boolean }[] = [
  // First: a full disk makes every later read or write fail too, and explains them.
  { re: /No space left on device|Disk quota exceeded/, problem: () => 'the disk is full (No space left on device)', movable: false, diskFull: true },
  // The file's header is not a transaction log's: ZooKeeper cannot read any of it.
  { re: /Transaction log: (\S+) has invalid magic number/, problem: () => 'its header is not a transaction log header (a write cut short)', movable: true },
  { re: /Unreasonable length = -?\d+[\s\S]*?(\/\S+\/version-2\/(?:log|snapshot)\.[0-9a-f]+)/, problem: () => 'it holds a record of impossible length', movable: false },
  { re: /(\/\S+\/version-2\/snapshot\.[0-9a-f]+)[^\n]*(?:EOFException|CRC|corrupt)/i, problem: () => 'the snapshot is truncated or corrupt', movable: false },
  { re: /The current epoch, (\w+), is older than the last zxid, (\w+)/, problem: (m) => `the recorded epoch ${m[1]} is older than the last transaction ${m[2]} (currentEpoch is stale)`, movable: false },
  { re: /No snapshot found, but there are log entries/, problem: () => 'there are transaction logs but no snapshot (a dataDir from another run or version)', movable: false },
];

/** The first known cause in a server log's text, or undefined. */
export function diagnoseStartFailure(log: string): StartFailure | undefined {
  for (const p of PATTERNS) {
    const m = p.re.exec(log);
    if (!m) continue;
    const file = m.slice(1).find((g) => g?.startsWith('/'));
    return { ...(file ? { file } : {}), problem: p.problem(m), movable: p.movable && !!file, ...(p.diskFull ? { diskFull: true } : {}) };
  }
  return undefined;
}
