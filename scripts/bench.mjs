#!/usr/bin/env zx
// npm run bench: zkpseudo against the manual recipe (scripts/recipe.mjs), same ZooKeeper bits,
// same machine, alternating, several runs; medians of pair-by-pair ratios.
//   BENCH_RUNS=5 (runs per measurement)   BENCH_QUICK=1 (one run, no up 9: a CI smoke)
import { $, fs, path, os } from 'zx';
import { recipeSetup, recipeStart, recipeStatus, recipeWaitHealthy, recipeStop, recipePids, isHealthy, alive } from './recipe.mjs';

$.verbose = false;
$.quiet = true;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { findSystemInstall, packSystemInstall } = await import(path.join(root, 'dist/tarball/system.js'));
const { findFreeBlock } = await import(path.join(root, 'dist/edge/ports.js'));
const { sendFourLetterWord } = await import(path.join(root, 'dist/edge/fourlw.js'));
const { parseSrvr } = await import(path.join(root, 'dist/zk/fourlw.js'));

const quick = process.env.BENCH_QUICK === '1';
const runs = quick ? 1 : Number(process.env.BENCH_RUNS ?? 5);
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'zkpseudo-bench-'));
const cli = path.join(root, 'dist/cli/main.js');
const install = await findSystemInstall();
if (!install) throw new Error('the benchmark needs a system ZooKeeper (bash scripts/setup.sh installs Debian\'s)');
const { tarball } = await packSystemInstall(install, path.join(work, 'cache'));
const env = { ...process.env, ZKPSEUDO_HOME: path.join(work, 'home'), ZKPSEUDO_CACHE: path.join(work, 'cache'), CI: 'true', NO_COLOR: '1' };

const now = () => performance.now();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const rssMb = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await fs.readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function verifyHealthy(ports) {
  const modes = await Promise.all(ports.map(async (p) => { const r = parseSrvr(await sendFourLetterWord(p, 'srvr')); return r.serving ? r.reply.mode : ''; }));
  if (!isHealthy(modes)) throw new Error(`not healthy: ${modes.join(',')}`);
}

async function zk(args) {
  const t = now();
  const r = await $({ env, nothrow: true })`node ${cli} ${args}`;
  const ms = now() - t;
  if (r.exitCode !== 0) throw new Error(`zkpseudo ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** One zkpseudo cycle: up N to verified healthy, status, down until gone. */
async function zkpseudoCycle(n, name) {
  const base = await findFreeBlock(3 * n);
  const up = await zk(['up', String(n), '--name', name, '--base-port', String(base), '--dist', tarball, '--zk-version', install.version.text, '--json']);
  const upJson = JSON.parse(up.stdout);
  await verifyHealthy(upJson.servers.map((s) => s.clientPort));
  const pids = upJson.servers.map((s) => s.pid);
  const rss = await Promise.all(pids.map(rssMb));
  const status = await zk(['status', '--name', name, '-q']);
  const down = await zk(['down', '--name', name, '--purge']);
  if (pids.some(alive)) throw new Error('zkpseudo down left a process');
  return { up: up.ms, status: status.ms, down: down.ms, rss };
}

async function recipeCycle(n) {
  const base = await findFreeBlock(3 * n);
  const dir = await fs.mkdtemp(path.join(work, 'recipe-'));
  let t = now();
  const configs = await recipeSetup(dir, tarball, n, base);
  await recipeStart(configs);
  await recipeWaitHealthy(configs);
  const up = now() - t;
  await verifyHealthy(Array.from({ length: n }, (_, i) => base + i));
  const pids = await recipePids(configs);
  const rss = await Promise.all(pids.map(rssMb));
  t = now();
  const modes = await recipeStatus(configs);
  const status = now() - t;
  if (!isHealthy(modes)) throw new Error('recipe status disagrees');
  t = now();
  await recipeStop(configs, pids);
  const down = now() - t;
  await fs.remove(dir);
  return { up, status, down, rss };
}

const pairs = [];
try {
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first so neither always gets a warm page cache.
    const order = i % 2 ? ['zkpseudo', 'recipe'] : ['recipe', 'zkpseudo'];
    const pair = {};
    for (const who of order) pair[who] = who === 'recipe' ? await recipeCycle(3) : await zkpseudoCycle(3, `bench${i}`);
    pairs.push(pair);
    process.stderr.write(`run ${i + 1}/${runs}: up ${pair.recipe.up.toFixed(0)} vs ${pair.zkpseudo.up.toFixed(0)} ms, status ${pair.recipe.status.toFixed(0)} vs ${pair.zkpseudo.status.toFixed(0)} ms, down ${pair.recipe.down.toFixed(0)} vs ${pair.zkpseudo.down.toFixed(0)} ms\n`);
  }
  const big = [];
  for (const n of quick ? [5] : [5, 9]) {
    const times = [];
    for (let i = 0; i < (quick ? 1 : Math.min(runs, 3)); i++) times.push(await zkpseudoCycle(n, `big${n}-${i}`));
    big.push({ n, up: median(times.map((t) => t.up)), rss: median(times.flatMap((t) => t.rss)) });
    process.stderr.write(`up ${n}: ${median(times.map((t) => t.up)).toFixed(0)} ms to healthy\n`);
  }

  const ratio = (k) => median(pairs.map((p) => p.recipe[k] / p.zkpseudo[k]));
  const rows = ['up', 'status', 'down'].map((k) => ({
    what: k === 'up' ? 'up 3 → healthy' : k === 'status' ? 'status (3 servers)' : 'down (until gone)',
    recipe: median(pairs.map((p) => p.recipe[k])),
    zkpseudo: median(pairs.map((p) => p.zkpseudo[k])),
    ratio: ratio(k),
    target: k === 'status' ? 10 : 3,
  }));
  const rss = { recipe: median(pairs.flatMap((p) => p.recipe.rss)), zkpseudo: median(pairs.flatMap((p) => p.zkpseudo.rss)) };

  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `zkpseudo benchmark: ${runs} run(s), ZooKeeper ${install.version.text}, ${os.cpus().length} cores, node ${process.version}`,
    '',
    '| measurement | manual recipe | zkpseudo | speed-up (median of pair ratios) | target |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${fmt(r.recipe)} | ${fmt(r.zkpseudo)} | ${r.ratio.toFixed(1)}× | ≥ ${r.target}× ${r.ratio >= r.target ? '✓' : '✗'} |`),
    ...big.map((b) => `| up ${b.n} → healthy | – | ${fmt(b.up)} | – | ${b.n === 9 ? 'healthy ✓' : ''} |`),
    `| resident memory per server | ${rss.recipe.toFixed(0)} MB | ${rss.zkpseudo.toFixed(0)} MB | ${(rss.recipe / rss.zkpseudo).toFixed(1)}× less | ≤ 120 MB ${rss.zkpseudo <= 120 ? '✓' : '✗'} |`,
  ];
  console.log(lines.join('\n'));
  const out = path.join(root, 'bench-results');
  await fs.mkdirp(out);
  await fs.writeJson(path.join(out, 'latest.json'), { date: new Date().toISOString(), runs, zkVersion: install.version.text, rows, big, rss, pairs }, { spaces: 2 });
  await fs.writeFile(path.join(out, 'latest.md'), `${lines.join('\n')}\n`);
} finally {
  // Leave nothing running: any server whose command line names this run's directory.
  await $({ nothrow: true })`pkill -9 -f ${`QuorumPeerMain.*${work}`}`;
  await fs.remove(work);
}
