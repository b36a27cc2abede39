/** Finding and tailing a server's log file. */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EnsemblePaths } from '../store/layout.js';

/**
 * The server's most recently written log: `*.log` from the file appender (3.4–3.7 and the
 * packed system dist) or the `.out` file the console appender (3.8+ upstream default) writes.
 */
export async function latestLogFile(logsDir: string): Promise<string | undefined> {
  const names = await readdir(logsDir).catch(() => [] as string[]);
  const candidates = await Promise.all(
    names
      .filter((n) => /\.(log|out)$/.test(n) && !/-cli-/.test(n))
      .map(async (n) => ({ file: path.join(logsDir, n), s: await stat(path.join(logsDir, n)) })),
  );
  candidates.sort((a, b) => b.s.mtimeMs - a.s.mtimeMs || b.s.size - a.s.size);
  return candidates[0]?.file;
}

/** The last `lines` lines of a file, reading at most the last 64 KiB. */
export async function tailFile(file: string, lines: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return buf.toString('utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

/** The tail of a server's log, for error messages ("" when there is none yet). */
export async function logTail(paths: EnsemblePaths, id: number, lines = 15): Promise<string> {
  const file = await latestLogFile(paths.server(id).logsDir);
  return file ? tailFile(file, lines).catch(() => '') : '';
}
