/** Probing local ports: is one free, who holds it, where is a free block. */
import net from 'node:net';
import { readFile, readdir, readlink } from 'node:fs/promises';

/** True when 127.0.0.1:port can be bound right now (it is released again at once). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The ports among `ports` that cannot be bound, in the order given. */
export async function busyPorts(ports: number[]): Promise<number[]> {
  const free = await Promise.all(ports.map(isPortFree));
  return ports.filter((_, i) => !free[i]);
}

/**
 * The process listening on a TCP port, as "pid 123 (java …)", found through /proc on Linux.
 * Undefined when it cannot be told (another OS, or another user's process).
 */
export async function portOwner(port: number): Promise<string | undefined> {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        const local = cols[1];
        // State 0A is LISTEN.
        if (local && cols[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port && cols[9]) inodes.add(cols[9]);
      }
    }
    if (!inodes.size) return undefined;
    for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
          return `pid ${pid} (${cmd.slice(0, 3).join(' ').slice(0, 80)})`;
        }
      }
    }
  } catch {
    /* best effort only */
  }
  return undefined;
}

/**
 * A base port whose next `span` ports are all free, picked at random in [low, high) so
 * parallel runs on one machine rarely race for the same block. The range stays below Linux's
 * ephemeral ports (32768 and up), which any outgoing connection — ZooKeeper's own among them —
 * may take between this check and the servers binding.
 */
export async function findFreeBlock(span: number, { low = 20000, high = 32700, attempts = 50, random = Math.random } = {}): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = low + Math.floor(random() * (high - low - span));
    const ports = Array.from({ length: span }, (_, k) => base + k);
    if ((await busyPorts(ports)).length === 0) return base;
  }
  throw new Error(`no block of ${span} free ports found between ${low} and ${high}`);
}
