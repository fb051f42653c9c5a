/**
 * Import rules for zenoo's source: no cycles, and layers that import one way only.
 *
 * Layers, lowest first. A module may import its own layer and the layers before it, never a later one:
 * the pipeline reads top to bottom (load a plan, evaluate rows, resolve references, check, diff, render, apply),
 * and a lower stage never reaches up into a stage that consumes it (docs/architecture.md draws this order).
 */
const LAYERS = [
  ['foundation', '^src/(errors|version)\\.ts$|^src/util/'],
  ['client', '^src/client/'],
  ['batch', '^src/batch/'],
  ['plan/model', '^src/plan/model/'],
  ['plan/sources', '^src/plan/sources/'],
  ['plan/graph', '^src/plan/graph/'],
  ['plan/load', '^src/plan/load/'],
  ['plan/evaluate', '^src/plan/evaluate/'],
  ['plan/references', '^src/plan/references/'],
  ['plan/check', '^src/plan/check/'],
  ['plan/prepare', '^src/plan/prepare/'],
  ['plan/diff', '^src/plan/diff/'],
  ['plan/render', '^src/plan/render/'],
  ['plan/checkpoint', '^src/plan/checkpoint/'],
  ['plan/lock', '^src/plan/lock/'],
  ['plan/apply', '^src/plan/apply/'],
  ['migrate', '^src/migrate/'],
  ['cli', '^src/cli/'],
  ['entry', '^src/index\\.ts$'],
];

/** Siblings that sit on one level and must not import each other. */
const SIBLINGS = [['plan/check', 'plan/diff']];

const pathOf = (name) => LAYERS.find(([layer]) => layer === name)[1];

const layerRules = LAYERS.map(([name, from], index) => {
  const higher = LAYERS.slice(index + 1).map(([, path]) => `(${path})`);
  if (higher.length === 0) return undefined;
  const allowed = LAYERS.slice(0, index + 1).map(([layer]) => layer);
  return {
    name: `layer-${name.replace('/', '-')}`,
    severity: 'error',
    comment: `${name} may import only: ${allowed.join(', ')} (and sandbox only from cli)`,
    from: { path: from },
    to: { path: higher.join('|'), pathNot: '^src/sandbox/' },
  };
}).filter(Boolean);

const siblingRules = SIBLINGS.flatMap(([a, b]) => [
  {
    name: `siblings-${a.replace('/', '-')}-${b.replace('/', '-')}`,
    severity: 'error',
    comment: `${a} and ${b} are siblings: neither imports the other`,
    from: { path: pathOf(a) },
    to: { path: pathOf(b) },
  },
  {
    name: `siblings-${b.replace('/', '-')}-${a.replace('/', '-')}`,
    severity: 'error',
    comment: `${b} and ${a} are siblings: neither imports the other`,
    from: { path: pathOf(b) },
    to: { path: pathOf(a) },
  },
]);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle among files: move the shared part to the lower module',
      from: {},
      to: { circular: true },
    },
    {
      name: 'sandbox-self-contained',
      severity: 'error',
      comment: 'the sandbox stands in for Odoo and may import only errors and util',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: '^src/(sandbox/|errors\\.ts$|util/)' },
    },
    {
      name: 'sandbox-only-from-cli',
      severity: 'error',
      comment: 'only the CLI (and the sandbox itself) may import the sandbox',
      from: { path: '^src/', pathNot: '^src/(sandbox|cli)/' },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'render-reads-diff-types-only',
      severity: 'error',
      comment:
        'a renderer shows a Diff: it may read the diff types (plan/model) and nothing of the stages that make it',
      from: { path: '^src/plan/render/' },
      to: { path: '^src/', pathNot: '^src/(plan/render/|plan/model/|errors\\.ts$|util/)' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'a module nothing imports is dead code',
      from: { orphan: true, path: '^src/', pathNot: '^src/(index\\.ts|cli/main\\.ts|sandbox/index\\.ts)$|\\.d\\.ts$' },
      to: {},
    },
    ...layerRules,
    ...siblingRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
