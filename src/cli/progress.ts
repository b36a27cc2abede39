/**
 * The live display of `up`: one line per step and one per server, redrawn in place on a
 * terminal (log-update); on a pipe or in CI, plain lines printed once, when something changes.
 */
import { paintErr } from './colour.js';
import type { UpEvent, StepName } from '../ensemble/lifecycle/up.js';
import type { ServerStatus } from '../ensemble/observe/probe.js';
import { colourRole } from './output.js';

const STEP_LABEL: Record<StepName, string> = {
  java: 'check Java', dist: 'get ZooKeeper', ports: 'check ports', unpack: 'unpack',
  configure: 'write config', start: 'start servers', wait: 'wait for quorum',
  restart: 'apply settings', reuse: 'reuse',
};

type StepState = { state: 'running' | 'done' | 'skipped'; detail?: string };

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export interface UpDisplay {
  onEvent(e: UpEvent): void;
  /** Leaves the last frame on screen. */
  finish(): void;
}

export async function createUpDisplay(opts: { tty: boolean; write: (line: string) => void }): Promise<UpDisplay> {
  const steps = new Map<StepName, StepState>();
  const notices: string[] = [];
  let servers: ServerStatus[] = [];
  let download = '';
  if (!opts.tty) {
    let lastRoles = '';
    return {
      onEvent(e) {
        if (e.kind === 'step' && e.state !== 'running') opts.write(`${e.state === 'done' ? '✓' : '-'} ${STEP_LABEL[e.step]}${e.detail ? `: ${e.detail}` : ''}`);
        else if (e.kind === 'notice') opts.write(`! ${e.text}`);
        else if (e.kind === 'status') {
          const roles = e.status.servers.map((s) => `${s.id}=${s.role}`).join(' ');
          if (roles !== lastRoles) opts.write(`  servers: ${roles}`);
          lastRoles = roles;
        }
      },
      finish() {},
    };
  }
  const { createLogUpdate } = await import('log-update');
  const render = createLogUpdate(process.stderr, { showCursor: true });
  const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  const draw = () => {
    const lines: string[] = [];
    for (const [name, s] of steps) {
      const mark = s.state === 'done' ? paintErr().green('✓') : s.state === 'skipped' ? paintErr().dim('-') : paintErr().cyan(spinner[frame % spinner.length]!);
      const detail = name === 'dist' && s.state === 'running' && download ? download : s.detail;
      lines.push(`${mark} ${STEP_LABEL[name].padEnd(16)}${detail ? paintErr().dim(detail) : ''}`);
    }
    for (const s of servers) lines.push(`    server ${String(s.id).padEnd(3)} ${String(s.clientPort).padEnd(6)} ${colourRole(s.role)}`);
    for (const n of notices) lines.push(paintErr().yellow(`! ${n}`));
    render(lines.join('\n'));
  };
  const timer = setInterval(() => { frame++; draw(); }, 100);
  timer.unref();
  return {
    onEvent(e) {
      if (e.kind === 'step') steps.set(e.step, { state: e.state, ...(e.detail ? { detail: e.detail } : {}) });
      else if (e.kind === 'notice') notices.push(e.text);
      else if (e.kind === 'status') servers = e.status.servers;
      else if (e.kind === 'download') {
        download = e.total ? `downloading ${mb(e.transferred)} / ${mb(e.total)} (${Math.floor((100 * e.transferred) / e.total)}%)` : `downloading ${mb(e.transferred)}`;
      }
      draw();
    },
    finish() {
      clearInterval(timer);
      draw();
      render.done();
    },
  };
}
