/**
 * The import rules `npm test` checks (dependency-cruiser): no cycle between any two modules,
 * and the layers only look down — cli → ensemble → tarball/options/edge → zk; the consistency
 * checker (src/ensemble/consistency/check) is pure.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Two modules that import each other (through any path) cannot be read or changed one at a time.', from: {}, to: { circular: true } },
    { name: 'zk-is-pure', severity: 'error', comment: 'src/zk is pure ZooKeeper knowledge: it imports only itself (and types).', from: { path: '^src/zk/' }, to: { path: '^src/(?!zk/)', dependencyTypesNot: ['type-only'] } },
    { name: 'edge-looks-down', severity: 'error', comment: 'src/edge holds side effects only; it must not know ensembles, options, tarballs or the CLI.', from: { path: '^src/edge/' }, to: { path: '^src/(ensemble|options|tarball|cli)/', dependencyTypesNot: ['type-only'] } },
    { name: 'export-is-pure', severity: 'error', comment: 'src/export turns a spec into documents: it knows options and ZooKeeper, never the disk, processes or ensembles on this machine (edge/fs/module-path is only where its own file is, to load YAML lazily from either build).', from: { path: '^src/export/' }, to: { path: '^src/(ensemble|edge|tarball|cli)/', pathNot: '^src/edge/fs/module-path\\.ts$', dependencyTypesNot: ['type-only'] } },
    { name: 'nothing-imports-cli', severity: 'error', comment: 'Only the CLI knows the CLI; the library never prints.', from: { path: '^src/(?!cli/)' }, to: { path: '^src/cli/' } },
    { name: 'checker-is-pure', severity: 'error', comment: 'The consistency checker judges a history and nothing else: no I/O, no clients, no servers (a history file is read by its caller).', from: { path: '^src/ensemble/consistency/check/' }, to: { pathNot: '^src/(ensemble/consistency/check/|errors\\.ts$|ensemble/faults/chaos-plan\\.ts$)', dependencyTypesNot: ['type-only'] } },
    { name: 'checker-uses-no-node-io', severity: 'error', comment: 'The consistency checker is pure: no node: modules.', from: { path: '^src/ensemble/consistency/check/' }, to: { dependencyTypes: ['core'] } },
    { name: 'programs-are-entries', severity: 'error', comment: 'A *-main.ts file runs as its own process: nothing imports it.', from: {}, to: { path: '-main\\.ts$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/types/' },
  },
};
