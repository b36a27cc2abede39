// Part of `npm run bench`: reset of 1,000 and of 10,000 znodes against `down --purge && up`
// (what a test suite would otherwise do between tests), in the same run, through the library
// (as a test's beforeEach calls it) and through the CLI; medians of per-run ratios.
import { $, path } from 'zx';

/** `count` znodes under /bench: folders of 100, 16 bytes of data each. */
function benchTree(count) {
  const tree = { '/bench': 'root' };
  let n = 1;
  for (let d = 0; n < count; d++) {
    const dir = `/bench/d${d}`;
    tree[dir] = {};
    n++;
    for (let j = 0; j < 99 && n < count; j++, n++) tree[`${dir}/n${j}`] = 'x'.repeat(16);
  }
  return tree;
}

export async function resetBench({ root, env, tarball, version, runs, now, median }) {
  const { up } = await import(path.join(root, 'dist/index.js'));
  const cli = path.join(root, 'dist/cli/main.js');
  const options = { name: 'reset-bench', servers: 3, ports: 'auto', dist: tarball, zkVersion: version, env };
  const trees = { 1000: benchTree(1000), 10000: benchTree(10000) };
  const timed = async (fn) => { const t = now(); const r = await fn(); return { ms: now() - t, r }; };
  const cliRun = async (args) => {
    const t = now();
    const r = await $({ env, nothrow: true })`node ${cli} ${args}`;
    if (r.exitCode !== 0) throw new Error(`zkpseudo ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
    return now() - t;
  };
  const samples = [];
  let zk = await up(options);
  try {
    for (let i = 0; i < runs; i++) {
      const s = {};
      // The first reset on a new ensemble pays once for the servers' (and the client's) JIT
      // warm-up; a suite resets before every later test, so the warm figure is the median of
      // the next three, as a suite's second, third and fourth tests would see them.
      const seededReset = async (count) => {
        s[`seed${count}`] = (await timed(() => zk.seed(trees[count]))).ms;
        const reset = await timed(() => zk.reset());
        if (reset.r.deleted !== count) throw new Error(`reset deleted ${reset.r.deleted} znodes, not ${count}`);
        return reset.ms;
      };
      s.firstReset1000 = await seededReset(1000);
      const warm = [];
      for (let k = 0; k < 3; k++) warm.push(await seededReset(1000));
      s.reset1000 = median(warm);
      s.reset10000 = await seededReset(10000);
      await zk.seed(trees[1000]);
      s.cliReset1000 = await cliRun(['reset', '--name', options.name, '-q']);
      // The other way to a clean tree: a new ensemble.
      s.restart = (await timed(async () => { await zk.down({ purge: true }); zk = await up(options); })).ms;
      s.cliRestart = await cliRun(['down', '--purge', '--name', options.name, '-q']) + await cliRun(['up', '3', '--name', options.name, '--ports', 'auto', '--dist', tarball, '--zk-version', version, '-q']);
      zk = await (await import(path.join(root, 'dist/index.js'))).open(options.name, { env });
      samples.push(s);
      process.stderr.write(`reset run ${i + 1}/${runs}: 1,000 in ${s.reset1000.toFixed(0)} ms (the first on the ensemble: ${s.firstReset1000.toFixed(0)} ms), 10,000 in ${s.reset10000.toFixed(0)} ms (CLI 1,000: ${s.cliReset1000.toFixed(0)} ms); down --purge && up ${s.restart.toFixed(0)} ms (CLI ${s.cliRestart.toFixed(0)} ms); seed 10,000 ${s.seed10000.toFixed(0)} ms\n`);
    }
  } finally {
    await zk.down({ purge: true }).catch(() => undefined);
  }
  const med = (k) => median(samples.map((s) => s[k]));
  const ratio = (a, b) => median(samples.map((s) => s[a] / s[b]));
  return [
    { what: 'reset 1,000 znodes vs down --purge && up 3 (library; a suite\'s resets after its first: the median of the next three)', a: med('restart'), b: med('reset1000'), r: ratio('restart', 'reset1000'), target: '≥ 20× faster', ok: ratio('restart', 'reset1000') >= 20 },
    { what: 'the first reset of 1,000 znodes on a new ensemble vs down --purge && up 3 (library; once per suite)', a: med('restart'), b: med('firstReset1000'), r: ratio('restart', 'firstReset1000'), target: 'faster', ok: ratio('restart', 'firstReset1000') > 1 },
    { what: 'reset 10,000 znodes vs down --purge && up 3 (library)', a: med('restart'), b: med('reset10000'), r: ratio('restart', 'reset10000'), target: 'faster', ok: ratio('restart', 'reset10000') > 1 },
    { what: 'zkpseudo reset (1,000 znodes) vs zkpseudo down --purge && zkpseudo up 3 (CLI)', a: med('cliRestart'), b: med('cliReset1000'), r: ratio('cliRestart', 'cliReset1000'), target: 'faster', ok: ratio('cliRestart', 'cliReset1000') > 1 },
    { what: 'seed 10,000 znodes (library; for reference)', a: NaN, b: med('seed10000'), r: NaN, target: '–', ok: true, info: true },
  ];
}
