/**
 * Why a server exited at start, read from its log (pure). A server killed mid-write can leave
 * a transaction log or snapshot that makes it exit at every start; those are named, and the
 * ones that hold nothing readable are marked safe to move aside. Data out of step with the
 * rest of the ensemble (epoch files that disagree with each other or with the transactions, a
 * snapshot gone or unreadable) is marked too: the server's own copy is what is wrong, so a
 * resync from the others mends it (`zkpseudo repair`).
 */
export interface StartFailure {
  /** The file the server choked on, when the log names one. */
  file?: string;
  /** What the server said, in a few words. */
  problem: string;
  /** True when moving `file` aside cannot lose anything the server could still read. */
  movable: boolean;
  /** True when the server's data is what stops it, so a resync from a quorum of the others mends it. */
  outOfStep: boolean;
  /** The disk ran full: nothing is wrong with the data, there is no room for more. */
  diskFull?: boolean;
  /** The data directory concerned (filled in by the caller, which knows the layout). */
  dataDir?: string;
}

/** ZooKeeper prints epochs in hex without a prefix (ZxidUtils.zxidToString) and zxids in decimal. */
const hex = (text: string, radix: 10 | 16) => {
  const n = radix === 16 ? BigInt(`0x${text}`) : BigInt(text);
  return `0x${n.toString(16)}`;
};

// The exact lines ZooKeeper 3.8.0 logs, reproduced by damaging a stopped follower's data dir.
const PATTERNS: { re: RegExp; problem: (m: RegExpExecArray) => string; movable: boolean; outOfStep: boolean; diskFull?: boolean }[] = [
  // A full disk makes every later read or write fail too, and explains them: it wins wherever it appears.
  { re: /No space left on device|Disk quota exceeded/, problem: () => 'the disk is full (No space left on device)', movable: false, outOfStep: false, diskFull: true },
  // The file's header is not a transaction log's: ZooKeeper cannot read any of it.
  { re: /Transaction log: (\S+) has invalid magic number/, problem: () => 'its header is not a transaction log header (a write cut short)', movable: true, outOfStep: true },
  { re: /Unreasonable length = -?\d+[\s\S]*?(\/\S+\/version-2\/(?:log|snapshot)\.[0-9a-f]+)/, problem: () => 'it holds a record of impossible length', movable: false, outOfStep: true },
  { re: /(\/\S+\/version-2\/snapshot\.[0-9a-f]+)[^\n]*(?:EOFException|CRC|corrupt)/i, problem: () => 'the snapshot is truncated or corrupt', movable: false, outOfStep: true },
  // currentEpoch below the epoch of the last transaction it holds (an epoch file from before the last election).
  { re: /The current epoch, ([0-9a-f]+), is older than the last zxid, (\d+)/, problem: (m) => `its currentEpoch (${hex(m[1]!, 16)}) is older than its last transaction (${hex(m[2]!, 10)}): the epoch files are out of step with the data`, movable: false, outOfStep: true },
  // acceptedEpoch below currentEpoch: the two files were written in different elections.
  { re: /The accepted epoch, ([0-9a-f]+) is less than the current epoch, ([0-9a-f]+)/, problem: (m) => `its acceptedEpoch (${hex(m[1]!, 16)}) is less than its currentEpoch (${hex(m[2]!, 16)}): the epoch files are out of step`, movable: false, outOfStep: true },
  // An epoch file that does not hold a number (cut short, overwritten).
  { re: /Found (.*) in (\/\S+\/(?:currentEpoch|acceptedEpoch))\b/, problem: (m) => `it holds ${JSON.stringify(m[1]!.slice(0, 40))}, not an epoch number`, movable: false, outOfStep: true },
  { re: /No snapshot found, but there are log entries/, problem: () => 'there are transaction logs but no snapshot (a snapshot lost, or a dataDir from another run or version)', movable: false, outOfStep: true },
];

/**
 * The part of a server's log written by its latest start: each start logs "Reading
 * configuration from:" first (3.4–3.9), so a failure of an earlier start is not mistaken for
 * this one's. The whole text when the marker is not in it.
 */
export function latestRun(log: string): string {
  const at = log.lastIndexOf('Reading configuration from:');
  return at < 0 ? log : log.slice(at);
}

/** The known cause the latest start logged last (a full disk above all), or undefined. */
export function diagnoseStartFailure(log: string): StartFailure | undefined {
  const text = latestRun(log);
  let found: { at: number; failure: StartFailure } | undefined;
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (!m || (found && (found.failure.diskFull || m.index < found.at))) continue;
    const file = m.slice(1).find((g) => g?.startsWith('/'));
    found = { at: m.index, failure: { ...(file ? { file } : {}), problem: p.problem(m), movable: p.movable && !!file, outOfStep: p.outOfStep, ...(p.diskFull ? { diskFull: true } : {}) } };
  }
  return found?.failure;
}

/**
 * What to run when server `id`'s data is out of step: `zkpseudo repair`, which needs the other
 * servers serving (`start` each of them first if they are stopped; a failed `up` stops the
 * servers it started).
 */
export function repairHint(id: number, name: string, others: number[]): string {
  const flag = ` --name ${name}`;
  const start = others.map((o) => `\`zkpseudo start ${o}${flag}\``).join(', ');
  return `Run \`zkpseudo repair ${id}${flag}\`: it moves server ${id}'s data aside (kept under its data/zkpseudo-quarantine/) and resyncs it from the other servers, which must be serving${start ? ` (if they are stopped: ${start})` : ''}.`;
}

/** A JVM that died of a fatal error (its crash banner), as the server's `.out` file shows it. */
export interface JvmCrash {
  /** SIGBUS, SIGSEGV, … or "a fatal error" when the banner names no signal. */
  signal: string;
  /** The hs_err_pid file the JVM wrote, when it says where. */
  report?: string;
}

/**
 * The crash banner HotSpot prints when it dies of a fatal error (a damaged class-data archive
 * typically gives SIGBUS while mapping it), or undefined. Pure: `text` is the JVM's output.
 */
export function diagnoseJvmCrash(text: string): JvmCrash | undefined {
  if (!/A fatal error has been detected by the Java Runtime Environment/.test(text)) return undefined;
  const signal = /^#\s+(SIG[A-Z]+) \(0x[0-9a-f]+\)/m.exec(text)?.[1] ?? 'a fatal error';
  const report = /An error report file with more information is saved as:\s*\n#\s*(\S+)/.exec(text)?.[1];
  return { signal, ...(report ? { report } : {}) };
}
