/**
 * The fault proxy (run by proxy-main.ts: `node proxy-main.js --zkpseudo-fault-proxy HOME NAME`), one per
 * ensemble created with `faults`. It listens on every proxy port of the recorded spec and
 * forwards each connection to the real server port, applying the FaultState in
 * `<ensemble>/faults.json`: a cut link closes its open connections and refuses new ones; a
 * delayed link holds each chunk back (in order). It writes the generation it has applied to
 * `faults.applied`, and exits when the ensemble directory is gone or on SIGTERM.
 */
import net from 'node:net';
import { stat } from 'node:fs/promises';
import { writeOwned } from '../../edge/fs/owned-fs.js';
import { readBack } from '../../edge/fs/decode.js';
import { ZkpseudoError } from '../../errors.js';
import { ensemblePaths } from '../store/layout.js';
import { readSpec } from '../store/spec-file.js';
import { faultFiles } from './proxy-control.js';
import { FAULT_STATE, NO_FAULTS, isCut, pairKey, type Delay, type FaultState } from './links.js';
import type { EnsembleSpec } from '../../options/types.js';

interface Route {
  listen: number;
  target: number;
  /** The server the traffic comes from (0: clients) and the one it goes to. */
  from: number;
  to: number;
}

function routes(spec: EnsembleSpec): Route[] {
  const out: Route[] = [];
  const byId = new Map(spec.members.map((m) => [m.id, m]));
  for (const [key, p] of Object.entries(spec.faults!.links)) {
    const [from, to] = key.split('-').map(Number) as [number, number];
    const target = byId.get(to)!.ports;
    out.push({ listen: p.quorum, target: target.quorum, from, to }, { listen: p.election, target: target.election, from, to });
  }
  for (const [id, port] of Object.entries(spec.faults!.clients)) out.push({ listen: port, target: byId.get(Number(id))!.ports.client, from: 0, to: Number(id) });
  // TLS client ports: bytes are copied as they come, so TLS passes through untouched.
  for (const [id, port] of Object.entries(spec.faults!.secureClients ?? {})) {
    const target = byId.get(Number(id))!.ports.secureClient;
    if (target) out.push({ listen: port, target, from: 0, to: Number(id) });
  }
  return out;
}

let state: FaultState = NO_FAULTS;
const cutNow = (r: Route) => (r.from === 0 ? state.clientsCut.includes(r.to) : isCut(state, r.from, r.to));
const delayNow = (r: Route): Delay | undefined => state.delays[r.from === 0 ? `clients-${r.to}` : pairKey(r.from, r.to)];
const open = new Map<Route, Set<net.Socket>>();

/** Copies `from` to `to`, holding each chunk back by the route's delay (release times never go backwards). */
function pump(from: net.Socket, to: net.Socket, route: Route): void {
  let releaseAt = 0;
  from.on('data', (chunk) => {
    const d = delayNow(route);
    if (!d || (d.ms === 0 && d.jitterMs === 0)) {
      if (releaseAt <= Date.now()) { to.write(chunk); return; }
    }
    const wait = d ? d.ms + Math.random() * d.jitterMs : 0;
    releaseAt = Math.max(releaseAt, Date.now() + wait);
    setTimeout(() => { if (!to.destroyed) to.write(chunk); }, releaseAt - Date.now());
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, releaseAt - Date.now())));
}

function serve(route: Route): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  open.set(route, sockets);
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (cutNow(route)) { client.destroy(); return; }
    const upstream = net.connect({ host: '127.0.0.1', port: route.target });
    upstream.on('error', () => client.destroy());
    client.on('close', () => { upstream.destroy(); sockets.delete(client); sockets.delete(upstream); });
    upstream.on('close', () => client.destroy());
    sockets.add(client);
    sockets.add(upstream);
    pump(client, upstream, route);
    pump(upstream, client, route);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: route.listen, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

/**
 * The state to apply: faults.json decoded strictly. Missing means none; damaged keeps what is
 * in force (a command with someone to tell moves the file aside and names it).
 */
async function readState(file: string): Promise<FaultState> {
  const read = await readBack(file, FAULT_STATE, { maxBytes: 1024 * 1024 });
  return read.state === 'ok' ? read.value : read.state === 'missing' ? NO_FAULTS : state;
}

/** Serves every proxy port of ensemble `name` under `home` until the ensemble is gone or SIGTERM. */
export async function runFaultProxy(home: string, name: string): Promise<void> {
  const paths = ensemblePaths(home, name);
  const files = faultFiles(paths);
  const spec = await readSpec(paths);
  if (!spec.faults) throw new ZkpseudoError(`${paths.specFile} records no fault proxy ports.`, 'Re-create the ensemble with --faults.');
  const all = routes(spec);
  state = await readState(files.state);
  await Promise.all(all.map(serve));
  const applied = async () => {
    await writeOwned(paths.home, files.applied, `${state.generation}\n`);
  };
  await applied();
  process.on('SIGTERM', () => process.exit(0));
  let lastCheck = 0;
  for (;;) {
    const next = await readState(files.state);
    if (next.generation !== state.generation) {
      state = next;
      // A newly cut link loses its open connections, as a pulled cable would.
      for (const [route, sockets] of open) if (cutNow(route)) for (const s of sockets) s.destroy();
      await applied();
    }
    if (Date.now() - lastCheck > 1000) {
      lastCheck = Date.now();
      if (!(await stat(paths.dir).catch(() => undefined))) process.exit(0);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
