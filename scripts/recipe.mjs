// The classic manual recipe for a ZooKeeper pseudo-cluster, scripted faithfully so the
// benchmark can time it: unpack N copies, write each zoo.cfg and myid, `zkServer.sh start`
// each in turn, then poll `zkServer.sh status` on each until one leads and the rest follow.
// Used only by scripts/bench.mjs; servers bind 127.0.0.1 on the ports given.
import { $, fs, path } from 'zx';

$.verbose = false;
$.quiet = true;

const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, CLASSPATH: '' });

/** Unpacks and configures `n` servers under `dir`; returns their config paths. */
export async function recipeSetup(dir, tarball, n, basePort) {
  const configs = [];
  const servers = Array.from({ length: n }, (_, i) => `server.${i + 1}=127.0.0.1:${basePort + n + i}:${basePort + 2 * n + i};127.0.0.1:${basePort + i}`);
  for (let i = 1; i <= n; i++) {
    const root = path.join(dir, `zk${i}`);
    await fs.mkdirp(path.join(root, 'data'));
    await $`tar xzf ${tarball} -C ${root} --strip-components=1`;
    const cfg = path.join(root, 'conf', 'zoo.cfg');
    await fs.writeFile(cfg, [
      'tickTime=2000', 'initLimit=10', 'syncLimit=5',
      `dataDir=${path.join(root, 'data')}`, `clientPort=${basePort + i - 1}`, 'clientPortAddress=127.0.0.1',
      'admin.enableServer=false', ...servers, '',
    ].join('\n'));
    await fs.writeFile(path.join(root, 'data', 'myid'), `${i}\n`);
    configs.push(cfg);
  }
  return configs;
}

export async function recipeStart(configs) {
  for (const cfg of configs) await $({ env: env() })`${path.join(path.dirname(cfg), '..', 'bin', 'zkServer.sh')} start ${cfg}`;
}

/** One `zkServer.sh status` per server; returns the modes ("leader", "follower", or "" when not serving). */
export async function recipeStatus(configs) {
  const modes = [];
  for (const cfg of configs) {
    const r = await $({ env: env(), nothrow: true })`${path.join(path.dirname(cfg), '..', 'bin', 'zkServer.sh')} status ${cfg}`;
    modes.push(/Mode: (\w+)/.exec(r.stdout)?.[1] ?? '');
  }
  return modes;
}

export function isHealthy(modes) {
  return modes.filter((m) => m === 'leader').length === 1 && modes.filter((m) => m === 'follower').length === modes.length - 1;
}

export async function recipeWaitHealthy(configs, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) if (isHealthy(await recipeStatus(configs))) return;
  throw new Error('the recipe ensemble did not become healthy');
}

/** `zkServer.sh stop` on each, then wait until every process is gone (as a careful person would). */
export async function recipeStop(configs, pids) {
  for (const cfg of configs) await $({ env: env(), nothrow: true })`${path.join(path.dirname(cfg), '..', 'bin', 'zkServer.sh')} stop ${cfg}`;
  for (const pid of pids) while (alive(pid)) await new Promise((r) => setTimeout(r, 25));
}

/** Alive and not a zombie (a reparented JVM may linger as one until PID 1 reaps it). */
export function alive(pid) {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

export async function recipePids(configs) {
  return Promise.all(configs.map(async (cfg) => Number(await fs.readFile(path.join(path.dirname(cfg), '..', 'data', 'zookeeper_server.pid'), 'utf8'))));
}
