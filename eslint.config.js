// ESLint flat config: the recommended rules for all of Parley's browser code and its build/test
// scripts. Generated bundles (widget/widget.js, widget/panel.js, console/static/parley-protocol.js) are not linted.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: [
      "node_modules/", "widget/widget.js", "widget/panel.js", "console/static/parley-protocol.js",
      "console/static/uplot.js", ".venv/", "build/", "dist/",
    ],
  },
  js.configs.recommended,
  {
    files: ["client/src/**/*.js", "widget/src/**/*.js", "console/static/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    files: ["client/test/**/*.js", "widget/test/**/*.js", "scripts/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
];
