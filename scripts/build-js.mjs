#!/usr/bin/env node
// Builds Parley's browser code with esbuild; the outputs are committed, so `make run` needs no node.
//   widget/src/main.js -> widget/widget.js        the loader shops embed: bubble, visit tracking, JS API
//   widget/src/panel-main.js -> widget/panel.js   the chat panel, fetched by the loader when it opens
//   client/src/index.js -> console/static/parley-protocol.js the shared client as an ES module
//   node_modules/uplot -> console/static/uplot.js, uplot.css   the dashboard's charts
// Names given (e.g. `console`) build only the outputs whose path contains them.
// `--check` builds in memory and fails when a committed output differs from a fresh build.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The server (app/web/pages.py) replaces these tokens: __PARLEY_CSS__ with the bundle's stylesheet
// (widget/loader.css, widget/widget.css) as a JSON string, __PARLEY_PANEL_VERSION__ with the panel
// bundle's version, so the loader asks for the panel under a URL cached for a year.
const TOKENS = {
  __PARLEY_CSS__: '/*__PARLEY_CSS__*/""',
  __PARLEY_PANEL_VERSION__: '/*__PARLEY_PANEL_VERSION__*/""',
};
const placeholder = (name) => `__${name}_PLACEHOLDER__`;

const WIDGET_BANNER = `/*! Parley visitor chat widget loader (built from widget/src by scripts/build-js.mjs; do not edit). Embed with:
 *  <script src="https://HOST/widget.js" data-site-key="KEY" async></script>
 * Optional: data-color="#0f766e" overrides the site's theme colour.
 * API (calls may be queued before it loads: window.Parley = window.Parley || []; Parley.push(["open"])):
 * Parley.open({department}?), .close(), .toggle(), .setUser({id, email, name, hash}), .track(name, data),
 * .on(event, cb) for ready, open, close, message, invitation. The panel's code (panel.js) loads when it opens.
 */`;
const PANEL_BANNER = "/*! Parley chat panel, loaded by widget.js (built from widget/src by scripts/build-js.mjs; do not edit). */";

/** A minified IIFE whose server-filled tokens survive minifying (which drops comments). */
function widgetBuild(out, entry, banner, tokens) {
  return {
    out,
    options: {
      entryPoints: [join(root, entry)],
      format: "iife",
      minify: true,
      target: "es2019",
      banner: { js: banner },
      define: Object.fromEntries(tokens.map((t) => [t, JSON.stringify(placeholder(t))])),
      legalComments: "none",
    },
    post: (code) => {
      for (const t of tokens) {
        const quoted = JSON.stringify(placeholder(t));
        if (code.split(quoted).length !== 2) throw new Error(`${out}: the ${t} placeholder must occur once`);
        code = code.replace(quoted, TOKENS[t]);
      }
      return code;
    },
  };
}

const builds = [
  widgetBuild("widget/widget.js", "widget/src/main.js", WIDGET_BANNER, ["__PARLEY_CSS__", "__PARLEY_PANEL_VERSION__"]),
  widgetBuild("widget/panel.js", "widget/src/panel-main.js", PANEL_BANNER, ["__PARLEY_CSS__"]),
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
