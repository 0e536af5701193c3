// dependency-cruiser: fails `npm run lint` on any import circle among the project's own files.
// Chosen over eslint-plugin-import-x's no-cycle because that rule always skips type-only imports
// (`import type`, `import { type X }`), and the goal is zero circles, type-only ones included.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle (type-only and dynamic imports count): break it by moving the shared part into a module both can import.",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import the cruiser cannot resolve would hide any circle through it.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|\\.tmp|runs)/" },
    // Keep imports that only exist before compilation (type-only), so type-only circles are found.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // The NodeNext sources import "./x.js" for ./x.ts; dependency-cruiser maps that itself.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
