/**
 * `zkpseudo logs ID|all [-f]`: the last lines of a server's log, and with -f every line that
 * follows — across log rotation (the file is re-found and re-opened when it is replaced or
 * truncated). `all` interleaves every server's lines, each prefixed like `docker compose logs`.
 */
import { open, stat } from 'node:fs/promises';
import { latestLogFile, tailFile } from '../../ensemble/logs.js';
import { parseSelector, selectMembers } from '../../ensemble/ops.js';
import { readSpec } from '../../ensemble/store.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import type { CommandContext } from '../context.js';

const POLL_MS = 250;

/** Where a follower is in one log: which file (by inode) and how far it has read. */
interface Cursor {
  file?: string;
  inode?: number;
  pos: number;
  partial: string;
}

/** Reads what was appended since the cursor; re-opens from the start after a rotation or truncation. */
async function readNew(dir: string, cur: Cursor): Promise<string[]> {
  const file = await latestLogFile(dir);
  if (!file) return [];
  const s = await stat(file).catch(() => undefined);
  if (!s) return [];
  if (file !== cur.file || s.ino !== cur.inode || s.size < cur.pos) Object.assign(cur, { file, inode: s.ino, pos: 0, partial: '' });
  if (s.size === cur.pos) return [];
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(s.size - cur.pos, 1 << 20));
    const { bytesRead } = await handle.read(buf, 0, buf.length, cur.pos);
    cur.pos += bytesRead;
    const text = cur.partial + buf.subarray(0, bytesRead).toString('utf8');
    const lines = text.split('\n');
    cur.partial = lines.pop() ?? '';
    return lines;
  } finally {
    await handle.close();
  }
}

export async function logsCommand(c: CommandContext, id: string, opts: { follow?: boolean; lines?: number }): Promise<number> {
  if (c.o.json) throw new UsageError('`logs` prints the servers\' own log lines and has no --json output.', 'Drop --json; read the file itself under the ensemble directory if a program needs it.');
  const spec = await readSpec(c.paths);
  const members = id === 'all' ? spec.members : await selectMembers(c.op, spec, parseSelector(id));
  const many = members.length > 1;
  const width = Math.max(...members.map((m) => String(m.id).length));
  const prefix = (mid: number) => (many ? `server ${String(mid).padEnd(width)} | ` : '');
  const lines = opts.lines ?? 50;
  const cursors = new Map<number, Cursor>();
  let any = false;
  for (const m of members) {
    const dir = c.paths.server(m.id).logsDir;
    const file = await latestLogFile(dir);
    const s = file ? await stat(file).catch(() => undefined) : undefined;
    cursors.set(m.id, { ...(file ? { file } : {}), ...(s ? { inode: s.ino } : {}), pos: s?.size ?? 0, partial: '' });
    if (!file) continue;
    any = true;
    const text = await tailFile(file, lines);
    if (text) c.o.out(text.split('\n').map((l) => prefix(m.id) + l).join('\n'));
  }
  if (!any && !opts.follow) {
    throw new ZkpseudoError(`No log file yet for server${many ? 's' : ''} ${members.map((m) => m.id).join(', ')}.`, `Start ${many ? 'them' : 'it'} with \`zkpseudo start ${id}\`.`);
  }
  if (!opts.follow) return 0;
  let stop = false;
  const onSignal = () => { stop = true; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop) {
      for (const m of members) {
        for (const line of await readNew(c.paths.server(m.id).logsDir, cursors.get(m.id)!)) c.o.out(prefix(m.id) + line);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
