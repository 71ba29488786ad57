/**
 * Import directions from DESIGN.md ("→ means may import"):
 *   services/scoring-api, services/feature-ingest → feature-store, services/common
 *   services/common, feature-store → npm packages only
 *   models/simulator → feature-store (the event contracts)
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "feature-store-is-a-leaf",
      comment: "feature-store may import npm packages only",
      severity: "error",
      from: { path: "^feature-store/" },
      to: { path: "^(services|models|load-tests|infra)/" },
    },
    {
      name: "common-is-a-leaf",
      comment: "services/common may import npm packages only",
      severity: "error",
      from: { path: "^services/common/" },
      to: { path: "^(services/(?!common/)|feature-store|models|load-tests|infra)" },
    },
    {
      name: "services-stay-apart",
      comment: "one service never imports another; shared code lives in services/common or feature-store",
      severity: "error",
      from: { path: "^services/(scoring-api|feature-ingest)/" },
      to: { path: "^services/(scoring-api|feature-ingest)/", pathNot: "^services/$1/" },
    },
    {
      name: "services-not-models",
      comment: "services load model artifacts as files, never import training or simulator code",
      severity: "error",
      from: { path: "^services/" },
      to: { path: "^models/" },
    },
    {
      name: "simulator-uses-contracts-only",
      severity: "error",
      from: { path: "^models/simulator/" },
      to: { path: "^(services|load-tests)/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "an import that does not resolve would escape every rule above",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^test/|node_modules|\\.d\\.ts$)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
