/**
 * Import directions from DESIGN.md ("→ means may import"):
 *   services/scoring-api, services/feature-ingest → feature-store, services/common
 *   services/common, feature-store → npm packages only
 *   models/simulator → feature-store (the event contracts)
 * and the package boundary: each workspace package is imported by its name and its `exports`
 * map (`@riskgate/feature-store/events`), never by a relative path into its folder.
 */
const PACKAGES =
  "feature-store|services/common|services/scoring-api|services/feature-ingest|models/simulator|test/support|load-tests";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "packages-by-name-only",
      comment:
        "another package is imported by its name (exports map), never by a relative path into its folder",
      severity: "error",
      from: { path: `^(${PACKAGES})/` },
      to: { dependencyTypes: ["local"], dependencyTypesNot: ["aliased-workspace"], pathNot: "^$1/" },
    },
    {
      name: "outside-packages-by-name-only",
      comment: "files outside the packages (test/infra, test/system, tools) import packages by name too",
      severity: "error",
      from: { pathNot: `^(${PACKAGES})/` },
      to: { dependencyTypes: ["local"], dependencyTypesNot: ["aliased-workspace"], path: `^(${PACKAGES})/` },
    },
    {
      name: "feature-store-is-a-leaf",
      comment: "feature-store's source may import npm packages only",
      severity: "error",
      from: { path: "^feature-store/(src|bench)/" },
      to: { path: "^(services|models|load-tests|infra|test)/" },
    },
    {
      name: "common-is-a-leaf",
      comment: "services/common's source may import npm packages only",
      severity: "error",
      from: { path: "^services/common/src/" },
      to: { path: "^(services/(?!common/)|feature-store|models|load-tests|infra|test)" },
    },
    {
      name: "services-stay-apart",
      comment: "one service never imports another; shared code lives in services/common or feature-store",
      severity: "error",
      from: { path: "^services/(scoring-api|feature-ingest)/(src|bench)/" },
      to: { path: "^services/(scoring-api|feature-ingest)/", pathNot: "^services/$1/" },
    },
    {
      name: "services-not-models",
      comment: "services load model artifacts as files, never import training or simulator code",
      severity: "error",
      from: { path: "^services/[^/]+/src/" },
      to: { path: "^models/" },
    },
    {
      name: "source-not-tests",
      comment: "no source file imports test code",
      severity: "error",
      from: { path: "/src/" },
      to: { path: "(^test/|/test/)" },
    },
    {
      name: "simulator-uses-contracts-only",
      severity: "error",
      from: { path: "^models/simulator/src/" },
      to: { path: "^(services|load-tests|test)/" },
    },
    {
      name: "src-declares-its-packages",
      comment:
        "a package's source imports only npm packages its own package.json lists in `dependencies` " +
        "(test and bench packages go in the root devDependencies)",
      severity: "error",
      from: { path: `^(${PACKAGES})/src/` },
      to: { dependencyTypes: ["npm-dev", "npm-no-pkg", "npm-unknown", "npm-optional", "npm-peer"] },
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
    // node_modules stays in (not followed) so imports of npm packages can be checked against package.json.
    exclude: { path: "\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "node", "default"],
    },
  },
};
