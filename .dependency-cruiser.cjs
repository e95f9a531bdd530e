/**
 * The layers, one way: app → server → db → lib, and lib imports nothing of ours. Browser code
 * (components, client helpers) reaches the server only through types. No cycles anywhere, type-only
 * imports included (`tsPreCompilationDeps`). Run by `npm run lint`.
 */
const TESTS = "(\\.test\\.tsx?$|^scripts/testing/|^e2e/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "Modules that import each other, even for types, are one module in two files: move what they share down a layer.",
      from: {},
      to: { circular: true },
    },
    {
      name: "lib-imports-nothing-of-ours",
      severity: "error",
      comment: "lib/ is browser-safe shared code: types and pure functions only.",
      from: { path: "^lib/" },
      to: { path: "^(app|server|db|scripts|bench|e2e)/" },
    },
    {
      name: "db-below-server",
      severity: "error",
      comment: "db/ (schema, pool, migrations) is given what it needs (hooks, settings); it never reaches up.",
      from: { path: "^db/", pathNot: TESTS },
      to: { path: "^(app|server)/" },
    },
    {
      name: "server-below-app",
      severity: "error",
      comment: "server/ never imports app/.",
      from: { path: "^server/" },
      to: { path: "^app/" },
    },
    {
      name: "browser-code-takes-only-types-from-the-server",
      severity: "error",
      comment: "Components and client helpers are bundled for the browser: the server's runtime code must not end up there. Share it through lib/.",
      from: { path: "^app/(_components|_lib)/" },
      to: { path: "^(server|db)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "production-code-never-imports-test-code",
      severity: "error",
      from: { path: "^(app|server|db|lib)/", pathNot: TESTS },
      to: { path: TESTS },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|\\.data|db/migrations)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
