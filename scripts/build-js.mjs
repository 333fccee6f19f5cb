#!/usr/bin/env node
// Builds Parley's browser code with esbuild; the outputs are committed, so `make run` needs no node.
//   widget/src/main.js -> widget/widget.js                 one minified IIFE that shops embed
//   client/src/index.js -> console/static/parley-protocol.js the shared client as an ES module
//   node_modules/uplot -> console/static/uplot.js, uplot.css   the dashboard's charts
// Names given (e.g. `console`) build only the outputs whose path contains them.
// `--check` builds in memory and fails when a committed output differs from a fresh build.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The server (app/web/pages.py) replaces this token with widget.css as a JSON string.
const CSS_TOKEN = '/*__PARLEY_CSS__*/""';
const CSS_PLACEHOLDER = "__PARLEY_CSS_PLACEHOLDER__";

const WIDGET_BANNER = `/*! Parley visitor chat widget (built from widget/src by scripts/build-js.mjs; do not edit). Embed with:
 *  <script src="https://HOST/widget.js" data-site-key="KEY" async></script>
 * Optional: data-color="#0f766e" overrides the site's theme colour.
 * API: window.Parley.open(), window.Parley.close(), window.Parley.toggle().
 */`;

const builds = [
  {
    out: "widget/widget.js",
    options: {
      entryPoints: [join(root, "widget/src/main.js")],
      format: "iife",
      minify: true,
      target: "es2019",
      banner: { js: WIDGET_BANNER },
      define: { __PARLEY_CSS__: JSON.stringify(CSS_PLACEHOLDER) },
      legalComments: "none",
    },
    // Minifying drops comments, so the server's token is put back after the build.
    post: (code) => {
      const quoted = JSON.stringify(CSS_PLACEHOLDER);
      if (code.split(quoted).length !== 2) throw new Error("widget bundle: the CSS placeholder must occur once");
      return code.replace(quoted, CSS_TOKEN);
    },
  },
  {
    out: "console/static/parley-protocol.js",
    options: {
      entryPoints: [join(root, "client/src/index.js")],
      format: "esm",
      target: "es2020",
      banner: { js: "// Parley's shared protocol client (client/src), built by scripts/build-js.mjs; do not edit." },
      legalComments: "none",
    },
    post: (code) => code,
  },
  // The dashboard's charting library (uPlot, MIT), served by Parley itself: never a CDN.
  {
    out: "console/static/uplot.js",
    options: {
      entryPoints: [join(root, "node_modules/uplot/dist/uPlot.esm.js")],
      format: "esm",
      minify: true,
      target: "es2020",
      banner: { js: "/*! uPlot (MIT License, (c) Leon Sorokin), from npm, built by scripts/build-js.mjs */" },
      legalComments: "none",
    },
    post: (code) => code,
  },
  {
    out: "console/static/uplot.css",
    options: {
      entryPoints: [join(root, "node_modules/uplot/dist/uPlot.min.css")],
      minify: true,
      banner: { css: "/*! uPlot (MIT License, (c) Leon Sorokin) */" },
    },
    post: (code) => code,
  },
];

const check = process.argv.includes("--check");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
let stale = 0;
for (const { out, options, post } of builds) {
  if (only.length && !only.some((name) => out.includes(name))) continue;
  const result = await esbuild.build({
    ...options,
    absWorkingDir: root, // paths in the output are relative to the repository, wherever this runs
    bundle: true,
    write: false,
    charset: "utf8",
    logLevel: "warning",
  });
  const code = post(result.outputFiles[0].text);
  const path = join(root, out);
  if (check) {
    let current = null;
    try {
      current = readFileSync(path, "utf8");
    } catch {
      /* missing counts as stale */
    }
    if (current !== code) {
      console.error(`${out} is not what its sources build to: run \`npm run build\` and commit it`);
      stale++;
    }
  } else {
    writeFileSync(path, code);
    console.log(`built ${out} (${code.length} bytes)`);
  }
}
if (stale) process.exit(1);
