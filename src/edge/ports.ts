/** Probing local ports: is one free, who holds it, where is a free block. */
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { ZkpseudoError } from '../errors.js';
import { portHolder, SERVER_MAIN_CLASS, SERVER_MARKER } from './process/proctable.js';

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
 * The process listening on a TCP port, found through /proc on Linux: "pid 123 (java …)", and
 * whether it is a server zkpseudo started. Undefined when it cannot be told.
 */
export async function portOwner(port: number): Promise<{ pid: number; description: string; zkpseudoServer: boolean } | undefined> {
  const pid = await portHolder(port).catch(() => undefined);
  if (!pid) return undefined;
  const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
  const at = cmd.indexOf(SERVER_MAIN_CLASS);
  const shown = at >= 0 ? `ZooKeeper ${cmd.slice(at + 1).join(' ')}` : cmd.slice(0, 3).join(' ').slice(0, 80);
  return { pid, description: `pid ${pid} (${shown})`, zkpseudoServer: cmd.includes(SERVER_MARKER) };
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
  throw new ZkpseudoError(
    `No block of ${span} free ports was found between ${low} and ${high} (${attempts} tries).`,
    'Stop some of what listens in that range (`zkpseudo ls`, `zkpseudo gc` for orphaned servers), or give a base port with --base-port.',
  );
}
