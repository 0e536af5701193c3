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
    rules: {
      // `_`-prefixed names are deliberately unused (placeholders, fields dropped by a rest destructure).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // Passing an abort signal's reason (typed any) or a caught error on is fine; literals that are not Errors still fail.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Off: `async` without `await` is deliberate here (a throw becomes a rejection; fakes of async interfaces); dropping it would change behaviour.
      "@typescript-eslint/require-await": "off",
    },
  },
);
