// ESLint for the pages' JavaScript (`make lint`): the recommended rules, for ES modules that
// the browser loads as they are (no bundler, no Node globals).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
];
