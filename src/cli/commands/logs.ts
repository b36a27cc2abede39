/**
 * `zkpseudo logs ID|all [-f]`: the last lines of a server's log, and with -f every line that
 * follows — across log rotation (the file is re-found and re-opened when it is replaced or
 * truncated). `all` interleaves every server's lines, each prefixed like `docker compose logs`.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { latestLogFile, tailFile } from '../../ensemble/observe/logs.js';
import { parseSelector, selectMembers } from '../../ensemble/lifecycle/ops.js';
import { readSpec } from '../../ensemble/store/spec-file.js';
import { UsageError, ZkpseudoError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { stdoutGone } from '../output.js';

const POLL_MS = 250;

/**
 * Where a follower is in one log. The file stays open, so after a rotation (the file renamed,
 * a new one started under its name) the rest of the old file is still read through the open
 * handle before the new one is opened — as `tail -F` does.
 */
interface Cursor {
  file?: string;
  handle?: FileHandle;
  inode?: number;
  pos: number;
  partial: string;
}

async function drain(cur: Cursor): Promise<string[]> {
  if (!cur.handle) return [];
  const { size } = await cur.handle.stat();
  if (size < cur.pos) cur.pos = 0; // truncated in place
  const lines: string[] = [];
  while (cur.pos < size) {
    const buf = Buffer.alloc(Math.min(size - cur.pos, 1 << 20));
    const { bytesRead } = await cur.handle.read(buf, 0, buf.length, cur.pos);
    if (!bytesRead) break;
    cur.pos += bytesRead;
    const parts = (cur.partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
    cur.partial = parts.pop() ?? '';
    lines.push(...parts);
  }
  return lines;
}

/** New lines since the last call: the rest of the open file, then — if it was rotated — the new one. */
async function readNew(dir: string, cur: Cursor): Promise<string[]> {
  const lines = await drain(cur);
  const file = await latestLogFile(dir);
  const s = file ? await stat(file).catch(() => undefined) : undefined;
  if (file && s && (file !== cur.file || s.ino !== cur.inode)) {
    if (cur.partial) lines.push(cur.partial);
    await cur.handle?.close();
    Object.assign(cur, { file, inode: s.ino, pos: 0, partial: '', handle: await open(file, 'r') });
    lines.push(...(await drain(cur)));
  }
  return lines;
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
    cursors.set(m.id, { ...(file ? { file, ...(opts.follow ? { handle: await open(file, 'r') } : {}) } : {}), ...(s ? { inode: s.ino } : {}), pos: s?.size ?? 0, partial: '' });
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
    while (!stop && !stdoutGone()) {
      for (const m of members) {
        for (const line of await readNew(c.paths.server(m.id).logsDir, cursors.get(m.id)!)) c.o.out(prefix(m.id) + line);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const cur of cursors.values()) await cur.handle?.close();
  }
  return 0;
}
