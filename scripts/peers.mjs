// The two other ways to get a ZooKeeper ensemble that the benchmark measures zkpseudo against,
// with the same jars on the same machine:
// - the raw floor: N JVMs started directly (no scripts) with zkpseudo's default JVM flags, the
//   tree's own logging configuration and no class-data-sharing archive, polled with `srvr`
//   until one leads and the rest follow;
// - kazoo's own test harness (Debian's python3-kazoo ships kazoo.testing), as its users run it.
// Every server binds 127.0.0.1 and is stopped before the function returns.
import { spawn } from 'node:child_process';
import { $, fs, path } from 'zx';
import { isHealthy, alive } from './recipe.mjs';

$.verbose = false;
$.quiet = true;

/** The ZooKeeper jars of an unpacked tree, as a classpath. */
export async function treeClasspath(tree) {
  const lib = path.join(tree, 'lib');
  return (await fs.readdir(lib)).filter((f) => f.endsWith('.jar')).map((f) => path.join(lib, f)).join(':');
}

/** Starts `n` JVMs directly; resolves with the time to healthy and their pids (still running). */
export async function floorStart(dir, classpath, n, basePort, flags, modeOf, logConfig) {
  const servers = Array.from({ length: n }, (_, i) => `server.${i + 1}=127.0.0.1:${basePort + n + i}:${basePort + 2 * n + i};127.0.0.1:${basePort + i}`);
  const cfgs = [];
  for (let i = 1; i <= n; i++) {
    const root = path.join(dir, `zk${i}`);
    await fs.mkdirp(path.join(root, 'data'));
    await fs.writeFile(path.join(root, 'data', 'myid'), `${i}\n`);
    const cfg = path.join(root, 'zoo.cfg');
    await fs.writeFile(cfg, ['tickTime=2000', 'initLimit=10', 'syncLimit=5', `dataDir=${path.join(root, 'data')}`, `clientPort=${basePort + i - 1}`,
      'clientPortAddress=127.0.0.1', 'admin.enableServer=false', '4lw.commands.whitelist=*', 'maxClientCnxns=1000', ...servers, ''].join('\n'));
    cfgs.push(cfg);
  }
  const t = performance.now();
  const pids = cfgs.map((cfg) => {
    // The same logging a zkpseudo server does (the tree's own configuration, to a file): a
    // server that logs nothing would be a floor no real server stands on.
    const logging = logConfig ? [`-Dlog4j.configuration=file:${logConfig}`, `-Dlogback.configurationFile=${logConfig}`, `-Dzookeeper.log.dir=${path.dirname(cfg)}`, '-Dzookeeper.log.file=zookeeper.log', '-Dzookeeper.root.logger=INFO,ROLLINGFILE'] : [];
    const child = spawn('java', ['-Xmx128m', ...flags, ...logging, '-cp', classpath, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { stdio: 'ignore', detached: true });
    child.unref();
    return child.pid;
  });
  const ports = Array.from({ length: n }, (_, i) => basePort + i);
  for (;;) {
    if (isHealthy(await Promise.all(ports.map(modeOf)))) return { ms: performance.now() - t, pids };
    if (performance.now() - t > 60_000) throw new Error('the raw floor did not become healthy');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function stopPids(pids) {
  for (const pid of pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  for (const pid of pids) while (alive(pid)) await new Promise((r) => setTimeout(r, 25));
}

const KAZOO = `
import json, socket, sys, time
from kazoo.testing.common import ZookeeperCluster

classpath, size, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def mode(port):
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=0.5)
        s.sendall(b'srvr'); data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk: break
            data += chunk
        s.close()
        for line in data.decode().splitlines():
            if line.startswith('Mode: '): return line[6:]
    except Exception:
        pass
    return ''
cluster = ZookeeperCluster(classpath=classpath, size=size, port_offset=base,
    configuration_entries=['clientPortAddress=127.0.0.1', 'admin.enableServer=false', '4lw.commands.whitelist=*'])
t = time.time()
cluster.start()
ports = [base + 10 * i for i in range(size)]
while True:
    modes = [mode(p) for p in ports]
    if modes.count('leader') == 1 and modes.count('follower') == size - 1: break
    if time.time() - t > 60: raise SystemExit('kazoo harness: not healthy')
    time.sleep(0.025)
elapsed = time.time() - t
cluster.stop(); cluster.terminate()
print(json.dumps({'ms': elapsed * 1000}))
`;

/** kazoo's ZookeeperCluster: start (it sleeps 2 s to let servers settle) until healthy, then stop it. */
export async function kazooCycle(classpath, n, basePort) {
  const r = await $({ nothrow: true })`/usr/bin/python3 -c ${KAZOO} ${classpath} ${n} ${basePort}`;
  if (r.exitCode !== 0) throw new Error(`kazoo harness failed: ${r.stderr.slice(-400)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()).ms;
}
