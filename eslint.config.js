// ESLint 9 flat config: typescript-eslint's type-checked rules over every TypeScript file the
// project typechecks (tsconfig.json includes src, chaos, tests, scripts).
// Import cycles are checked by dependency-cruiser (.dependency-cruiser.cjs), not here: see there.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".tmp/**", "runs/**", "bin/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
  {
    files: ["src/**/*.ts", "tests/**/*.ts", "chaos/**/*.ts", "scripts/**/*.ts"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {},
  },
);
