/**
 * Dependency rules of simvm's source, checked by `npm test` (depcruise src).
 * The pipeline runs one way: scenario (input checks) → sim (build, run,
 * collect) → report (renderers of Results); the model below it (engine,
 * cpu, host, scheduler, workloads, topology) imports none of them, and the
 * engine imports nothing else of simvm. Type-only imports count.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Folders import each other one way only: a folder cycle means a stage reaches back into an earlier or later one.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-file-cycle',
      severity: 'error',
      comment: 'No two files import each other, directly or through others.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'engine-imports-no-model',
      severity: 'error',
      comment: 'The event engine is model-agnostic: src/engine imports nothing else of src.',
      from: { path: '^src/engine/' },
      to: { path: '^src/', pathNot: '^src/engine/' },
    },
    {
      name: 'model-imports-no-pipeline',
      severity: 'error',
      comment: 'The model (engine, cpu, host, scheduler, workloads, topology, views) never imports the input, simulation or report stages.',
      from: { path: '^src/(engine|cpu|host|scheduler|workloads|topology|views)/' },
      to: { path: '^src/(scenario|sim|report|sweep)/|^src/(cli|commands|index)\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc parses
    // the sources as written, so type-only imports count too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
