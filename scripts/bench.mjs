#!/usr/bin/env zx
// npm run bench: zkpseudo against the manual recipe (scripts/recipe.mjs), kazoo's test harness
// and the raw floor (scripts/peers.mjs), same ZooKeeper bits, same machine, in rotating order,
// several runs; medians of per-run ratios. Then scaling: up 1/3/5/9/15 and memory per server.
// Then reset of 1,000 and 10,000 znodes against down --purge && up (scripts/bench-reset.mjs).
// Then the consistency checker on register histories of 1,000 and 10,000 operations, against
// only parsing the same history (the checker's cost in multiples of reading its input).
//   BENCH_RUNS=5 (runs per measurement)   BENCH_QUICK=1 (one run, scaling 1 and 5 only: a CI smoke)
//   BENCH_ONLY=checker (the checker alone: no JVM is started)   BENCH_ONLY=reset (the reset measurements alone)
import { $, fs, path, os } from 'zx';
import { recipeSetup, recipeStart, recipeStatus, recipeWaitHealthy, recipeStop, recipePids, isHealthy, alive } from './recipe.mjs';
import { floorStart, kazooCycle, stopPids, treeClasspath } from './peers.mjs';
import { resetBench } from './bench-reset.mjs';

$.verbose = false;
$.quiet = true;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { findSystemInstall, packSystemInstall } = await import(path.join(root, 'dist/tarball/system.js'));
const { findFreeBlock } = await import(path.join(root, 'dist/edge/ports.js'));
const { sendFourLetterWord } = await import(path.join(root, 'dist/edge/fourlw.js'));
const { parseSrvr } = await import(path.join(root, 'dist/zk/state/fourlw.js'));

const quick = process.env.BENCH_QUICK === '1';
const onlyReset = process.env.BENCH_ONLY === 'reset';
const runs = quick ? 1 : Number(process.env.BENCH_RUNS ?? 5);
const now = () => performance.now();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/**
 * The checker on histories a simulated ZooKeeper makes (6 clients, 3 keys, 2% indeterminate
 * outcomes, linearizable by construction), checked as `check-history` would; the baseline is
 * parsing the same NDJSON in the same run.
 */
async function checkerBench() {
  const { syntheticRegisterHistory } = await import(path.join(root, 'dist/ensemble/consistency/check/synthetic.js'));
  const { checkHistory } = await import(path.join(root, 'dist/ensemble/consistency/check/checker.js'));
  const { historyToNdjson, parseHistory } = await import(path.join(root, 'dist/ensemble/consistency/check/history-ndjson.js'));
  const cases = [[1000, 'sequential'], [10000, 'sequential'], [10000, 'linearizable']];
  // One unmeasured check first, so the JIT has compiled the checker before any measured one.
  checkHistory(parseHistory(historyToNdjson(syntheticRegisterHistory({ ops: 3000, seed: 1, infoRate: 0.02 })), 'warm-up.ndjson'));
  const out = [];
  for (const [n, reads] of cases) {
    const text = historyToNdjson(syntheticRegisterHistory({ ops: n, seed: 24, infoRate: 0.02 }));
    const per = [];
    for (let i = 0; i < Math.max(runs, 3); i++) {
      let t = now();
      const h = parseHistory(text, 'bench.ndjson');
      const parse = now() - t;
      t = now();
      const report = checkHistory(h, { reads });
      const check = now() - t;
      if (report.valid !== true) throw new Error(`the checker did not pass a linearizable history of ${n} operations: ${JSON.stringify(report.properties)}`);
      per.push({ parse, check });
    }
    const row = { n, reads, parse: median(per.map((p) => p.parse)), check: median(per.map((p) => p.check)), ratio: median(per.map((p) => p.check / p.parse)) };
    process.stderr.write(`checker: ${n} operations (${reads} reads): check ${row.check.toFixed(0)} ms, parse ${row.parse.toFixed(0)} ms\n`);
    out.push(row);
  }
  return out;
}

function checkerLines(rows) {
  return [
    '',
    '| consistency checker (register history) | parse the NDJSON (baseline) | check | ratio (median of per-run ratios) | target |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n.toLocaleString('en')} operations, ${r.reads === 'sequential' ? 'default read rule' : 'every read linearizable'} | ${r.parse.toFixed(0)} ms | ${r.check.toFixed(0)} ms | ${r.ratio.toFixed(2)}× the parse | ${r.n === 10000 ? `≤ 5 s ${r.check <= 5000 ? '✓' : '✗'}` : '–'} |`),
  ];
}

if (process.env.BENCH_ONLY === 'checker') {
  const rows = await checkerBench();
  console.log(checkerLines(rows).slice(1).join('\n'));
  process.exit(0);
}
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'zkpseudo-bench-'));
const cli = path.join(root, 'dist/cli/main.js');
const install = await findSystemInstall();
if (!install) throw new Error('the benchmark needs a system ZooKeeper (bash scripts/setup.sh installs Debian\'s)');
const { tarball } = await packSystemInstall(install, path.join(work, 'cache'));
const env = { ...process.env, ZKPSEUDO_HOME: path.join(work, 'home'), ZKPSEUDO_CACHE: path.join(work, 'cache'), CI: 'true', NO_COLOR: '1' };


/** Pids of ZooKeeper servers whose command line names one of `dirs` (only this run's servers do). */
async function serverPidsUnder(dirs) {
  const pids = [];
  for (const p of (await fs.readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmd = await fs.readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('QuorumPeerMain') && dirs.some((d) => cmd.includes(d))) pids.push(Number(p));
  }
  return pids;
}
const rssMb = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await fs.readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function verifyHealthy(ports) {
  const modes = await Promise.all(ports.map(async (p) => { const r = parseSrvr(await sendFourLetterWord(p, 'srvr')); return r.serving ? r.reply.mode : ''; }));
  const ok = modes.length === 1 ? modes[0] === 'standalone' : isHealthy(modes);
  if (!ok) throw new Error(`not healthy: ${modes.join(',')}`);
}

async function zk(args) {
  const t = now();
  const r = await $({ env, nothrow: true })`node ${cli} ${args}`;
  const ms = now() - t;
  if (r.exitCode !== 0) throw new Error(`zkpseudo ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/**
 * `up` again with the same arguments, on the ensemble it just made (healthy, same shape), against
 * `status`: three of each, alternating who goes first; the medians. Reuse must prove the
 * ensemble healthy and do nothing else, so it should cost what `status` costs.
 */
async function reuseVsStatus(args, name) {
  const reuse = [];
  const status = [];
  for (let i = 0; i < 3; i++) {
    const pair = [['reuse', () => zk([...args, '-q'])], ['status', () => zk(['status', '--name', name, '-q'])]];
    for (const [what, run] of i % 2 ? pair.reverse() : pair) (what === 'reuse' ? reuse : status).push((await run()).ms);
  }
  return { reuse: median(reuse), reuseStatus: median(status) };
}

/** One zkpseudo cycle: up N to verified healthy, status, (reuse vs status), down until gone. */
async function zkpseudoCycle(n, name, withReuse = false) {
  const base = await findFreeBlock(3 * n);
  const args = ['up', String(n), '--name', name, '--base-port', String(base), '--dist', tarball, '--zk-version', install.version.text];
  const up = await zk([...args, '--json']);
  const upJson = JSON.parse(up.stdout);
  await verifyHealthy(upJson.servers.map((s) => s.clientPort));
  const pids = upJson.servers.map((s) => s.pid);
  const rss = await Promise.all(pids.map(rssMb));
  const status = await zk(['status', '--name', name, '-q']);
  const reuse = withReuse ? await reuseVsStatus(args, name) : {};
  const down = await zk(['down', '--name', name, '--purge']);
  if (pids.some(alive)) throw new Error('zkpseudo down left a process');
  return { up: up.ms, status: status.ms, down: down.ms, rss, ...reuse };
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

const { FAST_JVM_FLAGS } = await import(path.join(root, 'dist/ensemble/lifecycle/servers.js'));
const modeOf = async (port) => { try { const r = parseSrvr(await sendFourLetterWord(port, 'srvr', 500)); return r.serving ? r.reply.mode : ''; } catch { return ''; } };
let tree;

async function floorCycle(n) {
  const base = await findFreeBlock(3 * n);
  const dir = await fs.mkdtemp(path.join(work, 'floor-'));
  const conf = ['logback.xml', 'log4j.properties'].map((f) => path.join(tree, 'conf', f)).find((f) => fs.existsSync(f));
  const { ms, pids } = await floorStart(dir, await treeClasspath(tree), n, base, FAST_JVM_FLAGS, modeOf, conf);
  await stopPids(pids);
  await fs.remove(dir);
  return { up: ms };
}

async function kazooRun(n) {
  return { up: await kazooCycle(await treeClasspath(tree), n, await findFreeBlock(10 * n)) };
}

/** `node -e 0`: the floor for any command a Node CLI runs. */
async function nodeBare() {
  const t = now();
  await $`node -e 0`;
  return now() - t;
}

const pairs = [];
try {
  // A first ensemble, as any user's first `up`: it unpacks the tree and builds the CDS archive
  // in the background; every measured `up` after it is a new ensemble from that cache.
  const warm = await zk(['up', '3', '--name', 'warm', '--ports', 'auto', '--dist', tarball, '--zk-version', install.version.text, '--json']);
  const warmDir = JSON.parse(warm.stdout).dir;
  tree = path.dirname(await fs.realpath(path.join(warmDir, 'zookeeper-1', 'lib')));
  if (!tree.includes(`${path.sep}trees${path.sep}`)) tree = path.join(warmDir, 'zookeeper-1');
  for (let i = 0; i < 100 && !(await fs.readdir(path.join(work, 'cache', 'cds')).catch(() => [])).some((f) => f.endsWith('.jsa')); i++) await new Promise((r) => setTimeout(r, 200));
  await zk(['down', '--name', 'warm', '--purge']);

  for (let i = 0; i < (onlyReset ? 0 : runs); i++) {
    // Rotate who goes first so none always gets a warm page cache.
    const who = ['recipe', 'kazoo', 'floor', 'zkpseudo'];
    const order = [...who.slice(i % 4), ...who.slice(0, i % 4)];
    const pair = { node: await nodeBare() };
    for (const w of order) {
      pair[w] = w === 'recipe' ? await recipeCycle(3) : w === 'kazoo' ? await kazooRun(3) : w === 'floor' ? await floorCycle(3) : await zkpseudoCycle(3, `bench${i}`, true);
    }
    pairs.push(pair);
    process.stderr.write(`run ${i + 1}/${runs}: up 3 — recipe ${pair.recipe.up.toFixed(0)}, kazoo ${pair.kazoo.up.toFixed(0)}, floor ${pair.floor.up.toFixed(0)}, zkpseudo ${pair.zkpseudo.up.toFixed(0)} ms; status ${pair.recipe.status.toFixed(0)} vs ${pair.zkpseudo.status.toFixed(0)} ms (node -e 0: ${pair.node.toFixed(0)}); down ${pair.recipe.down.toFixed(0)} vs ${pair.zkpseudo.down.toFixed(0)} ms; up of the healthy ensemble ${pair.zkpseudo.reuse.toFixed(0)} vs status ${pair.zkpseudo.reuseStatus.toFixed(0)} ms\n`);
  }
  const scaling = [];
  for (const n of onlyReset ? [] : quick ? [1, 5] : [1, 3, 5, 9, 15]) {
    const times = [];
    for (let i = 0; i < (quick ? 1 : Math.min(runs, 3)); i++) times.push(await zkpseudoCycle(n, `scale${n}-${i}`));
    scaling.push({ n, up: median(times.map((t) => t.up)), rss: median(times.flatMap((t) => t.rss)) });
    process.stderr.write(`up ${n}: ${median(times.map((t) => t.up)).toFixed(0)} ms to healthy, ${median(times.flatMap((t) => t.rss)).toFixed(0)} MB per server\n`);
  }

  const resetRows = await resetBench({ root, env, tarball, version: install.version.text, runs, now, median });
  const ratio = (a, b, k = 'up') => median(pairs.map((p) => (typeof p[a] === 'number' ? p[a] : p[a][k]) / (typeof p[b] === 'number' ? p[b] : p[b][k])));
  const med = (w, k = 'up') => median(pairs.map((p) => (typeof p[w] === 'number' ? p[w] : p[w][k])));
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const check = (ok) => (ok ? '✓' : '✗');
  const rows = onlyReset ? [] : [
    { what: 'up 3 → healthy vs the manual recipe', a: med('recipe'), b: med('zkpseudo'), r: ratio('recipe', 'zkpseudo'), target: '≥ 3× faster', ok: ratio('recipe', 'zkpseudo') >= 3 },
    { what: 'up 3 → healthy vs kazoo\'s test harness', a: med('kazoo'), b: med('zkpseudo'), r: ratio('kazoo', 'zkpseudo'), target: '≥ 1.5× faster', ok: ratio('kazoo', 'zkpseudo') >= 1.5 },
    { what: 'up 3 → healthy vs the raw floor (JVMs started directly, no CDS)', a: med('floor'), b: med('zkpseudo'), r: ratio('zkpseudo', 'floor'), target: '≤ 1.15× the floor', ok: ratio('zkpseudo', 'floor') <= 1.15, inverse: true },
    { what: 'status (3 servers) vs `node -e 0`', a: med('node'), b: med('zkpseudo', 'status'), r: ratio('zkpseudo', 'node', 'status'), target: '≤ 1.3× node -e 0', ok: false, inverse: true },
    { what: 'status (3 servers) vs the recipe\'s zkServer.sh status', a: med('recipe', 'status'), b: med('zkpseudo', 'status'), r: ratio('recipe', 'zkpseudo', 'status'), target: '≥ 10× faster', ok: ratio('recipe', 'zkpseudo', 'status') >= 10 },
    { what: 'up 3 of an ensemble already healthy (reuse) vs status', a: med('zkpseudo', 'reuseStatus'), b: med('zkpseudo', 'reuse'), r: ratio('zkpseudo', 'zkpseudo', 'reuse'), target: '≤ 1.2× status', ok: false, inverse: true },
    { what: 'down (until gone) vs the recipe', a: med('recipe', 'down'), b: med('zkpseudo', 'down'), r: ratio('recipe', 'zkpseudo', 'down'), target: '≥ 3× faster', ok: ratio('recipe', 'zkpseudo', 'down') >= 3 },
  ];
  // status / node: the numerator is zkpseudo's status, the denominator a bare node start.
  if (rows.length) {
    rows[3].r = median(pairs.map((p) => p.zkpseudo.status / p.node));
    rows[3].ok = rows[3].r <= 1.3;
    // reuse / status, both timed in the same cycle (medians of three each), then the median over runs.
    rows[5].r = median(pairs.map((p) => p.zkpseudo.reuse / p.zkpseudo.reuseStatus));
    rows[5].ok = rows[5].r <= 1.2;
  }
  const checker = onlyReset ? [] : await checkerBench();
  const rss = onlyReset ? {} : { recipe: median(pairs.flatMap((p) => p.recipe.rss)), zkpseudo: median(pairs.flatMap((p) => p.zkpseudo.rss)) };
  const fmtRatio = (r) => (r.info ? '–' : `${r.r.toFixed(1)}× faster`);
  const lines = [
    `zkpseudo benchmark: ${runs} run(s), ZooKeeper ${install.version.text}, ${os.cpus().length} cores, node ${process.version}; a new ensemble each time, tarball cached`,
    '',
    '| measurement | other | zkpseudo | ratio (median of per-run ratios) | target |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${fmt(r.a)} | ${fmt(r.b)} | ${r.inverse ? `${r.r.toFixed(2)}× the other` : `${r.r.toFixed(2)}× faster`} | ${r.target} ${check(r.ok)} |`),
    ...scaling.map((b) => `| up ${b.n} → healthy (scaling) | – | ${fmt(b.up)} | ${b.rss.toFixed(0)} MB resident per server | ${b.n === 15 ? 'healthy ✓; ' : ''}≤ 120 MB ${check(b.rss <= 120)} |`),
    ...(onlyReset ? [] : [`| resident memory per server (up 3) | ${rss.recipe.toFixed(0)} MB (recipe) | ${rss.zkpseudo.toFixed(0)} MB | ${(rss.recipe / rss.zkpseudo).toFixed(1)}× less | ≤ 120 MB ${check(rss.zkpseudo <= 120)} |`]),
    ...resetRows.map((r) => `| ${r.what} | ${r.info ? '–' : r.a >= 1000 ? fmt(r.a) : `${r.a.toFixed(0)} ms`} | ${r.b >= 1000 ? fmt(r.b) : `${r.b.toFixed(0)} ms`} | ${fmtRatio(r)} | ${r.target}${r.info ? '' : ` ${check(r.ok)}`} |`),
    ...(checker.length ? checkerLines(checker) : []),
  ];
  console.log(lines.join('\n'));
  const out = path.join(root, 'bench-results');
  await fs.mkdirp(out);
  await fs.writeJson(path.join(out, 'latest.json'), { date: new Date().toISOString(), runs, zkVersion: install.version.text, rows, scaling, rss, checker, pairs, reset: resetRows }, { spaces: 2 });
  await fs.writeFile(path.join(out, 'latest.md'), `${lines.join('\n')}\n`);
} finally {
  // Leave nothing running: each server whose command line names this run's directory, by pid.
  for (const pid of await serverPidsUnder([work, tree ?? work])) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  await fs.remove(work);
}
