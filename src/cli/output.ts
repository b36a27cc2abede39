/** Everything the CLI prints: status tables, health lines, JSON. The library never prints. */
import pc from 'picocolors';
import type { EnsembleStatus, ServerStatus } from '../ensemble/probe.js';
import type { HealthState } from '../zk/health.js';

export interface Output {
  json: boolean;
  quiet: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export function makeOutput(opts: { json?: boolean; quiet?: boolean }): Output {
  return {
    json: !!opts.json,
    quiet: !!opts.quiet,
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  };
}

export function printJson(o: Output, value: unknown): void {
  o.out(JSON.stringify(value, null, 2));
}

const ROLE_COLOUR: Record<string, (s: string) => string> = {
  leader: pc.green, follower: pc.cyan, observer: pc.blue, standalone: pc.green,
  looking: pc.yellow, starting: pc.yellow, 'read-only': pc.yellow, down: pc.red,
};

export function colourRole(role: ServerStatus['role']): string {
  return (ROLE_COLOUR[role] ?? ((s: string) => s))(role);
}

export function colourHealth(state: HealthState, text: string): string {
  return state === 'healthy' ? pc.green(text) : state === 'degraded' ? pc.yellow(text) : pc.red(text);
}

/** A plain-text table; widths come from the uncoloured cells so colour codes do not skew them. */
export function table(header: string[], rows: { cells: string[]; paint?: (col: number, cell: string) => string }[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r.cells[c] ?? '').length)));
  const line = (cells: string[], paint?: (col: number, cell: string) => string) =>
    cells.map((cell, c) => {
      const padded = c === cells.length - 1 ? cell : cell.padEnd(widths[c]!);
      return paint ? paint(c, padded) : padded;
    }).join('  ').trimEnd();
  return [pc.bold(line(header)), ...rows.map((r) => line(r.cells, r.paint))].join('\n');
}

/** The per-server table and the health line, as `status` prints them. */
export function formatStatus(status: EnsembleStatus): string {
  const rows = status.servers.map((s) => ({
    cells: [
      String(s.id),
      s.role + (s.peerType === 'observer' && s.role !== 'observer' ? ' (observer)' : ''),
      String(s.clientPort),
      s.pid === null ? '-' : String(s.pid),
      s.zxid ?? '-',
      s.note ?? '',
    ],
    paint: (col: number, cell: string) => (col === 1 ? colourRole(s.role).replace(s.role, cell.trimEnd()) + ' '.repeat(cell.length - cell.trimEnd().length) : cell),
  }));
  const head = `ensemble ${status.name} (ZooKeeper ${status.zkVersion})`;
  return `${pc.bold(head)}\n${table(['ID', 'ROLE', 'CLIENT', 'PID', 'ZXID', 'NOTE'], rows)}\n${colourHealth(status.health.state, status.health.summary)}`;
}
