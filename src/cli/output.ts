/** Everything the CLI prints: status tables, health lines, JSON. The library never prints. */
import { paint } from './colour.js';
import type { EnsembleStatus, ServerStatus } from '../ensemble/observe/probe.js';
import type { RemoteStatus } from '../ensemble/remote/probe.js';
import type { HealthState } from '../zk/state/health.js';

export interface Output {
  json: boolean;
  quiet: boolean;
  /** Notices said during the command; --json output carries them as `notices`. */
  notices: string[];
  out: (text: string) => void;
  err: (text: string) => void;
}

export function makeOutput(opts: { json?: boolean; quiet?: boolean }): Output {
  return {
    json: !!opts.json,
    quiet: !!opts.quiet,
    notices: [],
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  };
}

/** One JSON document on stdout, with the command's notices (if any) as `notices`. */
export function printJson(o: Output, value: unknown): void {
  const withNotices = o.notices.length && value && typeof value === 'object' && !Array.isArray(value) ? { ...value, notices: o.notices } : value;
  o.out(JSON.stringify(withNotices, null, 2));
}

/** One JSON document on one line (NDJSON), for streams such as `status --watch --json`. */
export function printJsonLine(o: Output, value: unknown): void {
  o.out(JSON.stringify(value));
}

const ROLE_COLOUR: Record<string, 'green' | 'cyan' | 'blue' | 'yellow' | 'red' | 'magenta'> = {
  leader: 'green', follower: 'cyan', observer: 'blue', standalone: 'green',
  looking: 'yellow', starting: 'yellow', 'read-only': 'yellow', paused: 'magenta', down: 'red', unknown: 'yellow',
};

export function colourRole(role: ServerStatus['role'] | 'unknown'): string {
  const colour = ROLE_COLOUR[role];
  return colour ? paint()[colour](role) : role;
}

export function colourHealth(state: HealthState, text: string): string {
  return state === 'healthy' ? paint().green(text) : state === 'degraded' ? paint().yellow(text) : paint().red(text);
}

/** A plain-text table; widths come from the uncoloured cells so colour codes do not skew them. */
export function table(header: string[], rows: { cells: string[]; paint?: (col: number, cell: string) => string }[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r.cells[c] ?? '').length)));
  const line = (cells: string[], paint?: (col: number, cell: string) => string) =>
    cells.map((cell, c) => {
      const padded = c === cells.length - 1 ? cell : cell.padEnd(widths[c]!);
      return paint ? paint(c, padded) : padded;
    }).join('  ').trimEnd();
  return [paint().bold(line(header)), ...rows.map((r) => line(r.cells, r.paint))].join('\n');
}

/** A server's network faults in a few words, for the NOTE column. */
function faultNote(s: ServerStatus): string {
  const f = s.faults;
  if (!f) return '';
  const parts: string[] = [];
  if (f.isolated) parts.push('isolated');
  else if (f.cutFrom.length) parts.push(`cut from ${f.cutFrom.join(',')}`);
  if (f.clientsCut) parts.push('clients cut');
  for (const [to, d] of Object.entries(f.delays)) parts.push(`delay to ${to} ${d.ms}ms${d.jitterMs ? `±${d.jitterMs}` : ''}`);
  return parts.join(', ');
}

/** The per-server table and the health line, as `status` prints them. */
export function formatStatus(status: EnsembleStatus): string {
  const rows = status.servers.map((s) => ({
    cells: [
      String(s.id),
      s.role + (s.peerType === 'observer' && s.role !== 'observer' ? ' (observer)' : ''),
      String(s.clientPort),
      shortVersion(s),
      s.pid === null ? '-' : String(s.pid),
      s.zxid ?? '-',
      [s.note, faultNote(s)].filter(Boolean).join('; '),
    ],
    paint: (col: number, cell: string) => (col === 1 ? colourRole(s.role).replace(s.role, cell.trimEnd()) + ' '.repeat(cell.length - cell.trimEnd().length) : cell),
  }));
  const versions = [...new Set(status.servers.map((s) => s.zkVersion))];
  const head = `ensemble ${status.name} (ZooKeeper ${versions.length > 1 ? `${versions.join(' and ')}: mixed, see VERSION` : status.zkVersion})`;
  return `${paint().bold(head)}\n${table(['ID', 'ROLE', 'CLIENT', 'VERSION', 'PID', 'ZXID', 'NOTE'], rows)}\n${colourHealth(status.health.state, status.health.summary)}`;
}

/**
 * The release a server runs: what it says (srvr, "3.9.3-c26634f…"), shortened, while it
 * answers; else the one recorded for its copy.
 */
function shortVersion(s: ServerStatus): string {
  return (s.version && /^\d+\.\d+\.\d+(?:-(?:alpha|beta))?/.exec(s.version)?.[0]) || s.zkVersion;
}

/**
 * Any ensemble's table, as `status --connect` prints it: what the four-letter words tell — the
 * address asked, role, zxid, version — and no pid, which only a local process table has.
 */
export function formatRemoteStatus(status: RemoteStatus): string {
  const rows = status.servers.map((s) => ({
    cells: [String(s.id), s.address, s.role + (s.peerType === 'observer' && s.role !== 'observer' ? ' (observer)' : ''), s.zxid ?? '-', s.version ?? '-', s.note ?? ''],
    paint: (col: number, cell: string) => (col === 2 ? colourRole(s.role).replace(s.role, cell.trimEnd()) + ' '.repeat(cell.length - cell.trimEnd().length) : cell),
  }));
  const head = `the ensemble at ${status.connectString}`;
  return `${paint().bold(head)}\n${table(['ID', 'ADDRESS', 'ROLE', 'ZXID', 'VERSION', 'NOTE'], rows)}\n${colourHealth(status.health.state, status.health.summary)}`;
}

/** A local or a remote status, as `status` prints it. */
export function formatAnyStatus(status: EnsembleStatus | RemoteStatus): string {
  return 'name' in status ? formatStatus(status) : formatRemoteStatus(status);
}

let stdoutClosed = false;

/**
 * A reader that went away (EPIPE) is not an error of the command: output stops, the command
 * finishes its work (and its cleanup) and exits with its own code. (Node does not mark
 * process.stdout destroyed on EPIPE, so the fact is kept here.)
 */
export function tolerateClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      if (stream === process.stdout) stdoutClosed = true;
    });
  }
}

/**
 * True once nobody reads stdout any more (`zkpseudo logs all -f | head -3`): a command that
 * would print forever stops at its next line instead of following into the void.
 */
export function stdoutGone(): boolean {
  return stdoutClosed;
}
