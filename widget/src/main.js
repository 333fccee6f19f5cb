// @ts-check
/** Loader: reads the embedding <script> tag, publishes window.Parley, and mounts the widget once
 * the visitor's session and the DOM are ready. Everything else lives in the other modules. */
import { initSocket } from "./connection.js";
import { close, mount, open, toggle } from "./panel.js";
import { createSession } from "./session.js";
import { S } from "./state.js";
import { initStorage, local } from "./storage.js";

function start() {
  const W = /** @type {any} */ (window);
  const D = document;
  if (D.getElementById("parley-widget") || (W.Parley && W.Parley.version)) return;

  const script = /** @type {HTMLScriptElement | null} */ (D.currentScript || D.querySelector("script[data-site-key]"));
  const siteKey = script && script.getAttribute("data-site-key");
  if (!script || !siteKey) {
    console.warn("[Parley] widget not shown: no data-site-key on the script tag");
    return;
  }
  try {
    S.base = new URL(script.src, location.href).origin;
  } catch {
    console.warn("[Parley] widget not shown: cannot read the script's address");
    return;
  }
  S.siteKey = siteKey;
  S.wsBase = S.base.replace(/^http/, "ws");
  S.colorOverride = script.getAttribute("data-color");
  initStorage(siteKey);
  S.token = local.get("token");
  initSocket();

  const api = W.Parley && typeof W.Parley === "object" ? W.Parley : (W.Parley = {});
  api.version = "1";
  api.open = open;
  api.close = close;
  api.toggle = toggle;

  const domReady = new Promise((resolve) => {
    if (D.readyState === "loading") D.addEventListener("DOMContentLoaded", resolve, { once: true });
    else resolve(undefined);
  });

  Promise.all([createSession(true), domReady])
    .then(([data]) => {
      try {
        mount(data);
      } catch (e) {
        const host = D.getElementById("parley-widget");
        if (host) host.remove();
        S.mounted = false;
        throw e;
      }
    })
    .catch((e) => console.warn("[Parley] chat widget not shown:", (e && e.message) || e));
}

start();
