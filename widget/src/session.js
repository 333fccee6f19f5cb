// @ts-check
/** The visitor's identity: a widget session (token + site config) from the REST API. */
import { S } from "./state.js";
import { local, readProfile } from "./storage.js";
import { browserLanguages, pickLanguage } from "./text.js";

/** @param {boolean} withToken send the saved token (false: ask for a fresh identity) */
export async function createSession(withToken) {
  /** @type {Record<string, any>} */
  const body = { site_key: S.siteKey };
  const saved = withToken && local.get("token");
  if (saved) body.visitor_token = saved;
  if (S.user) body.user = S.user; // Parley.setUser(): the shop's signed-in customer
  const res = await fetch(S.base + "/api/v1/widget/session", {
    method: "POST",
    mode: "cors",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error("session refused (HTTP " + res.status + ")");
  const data = await res.json();
  if (!data || !data.visitor_token || !data.config) throw new Error("unexpected session answer");
  S.token = data.visitor_token;
  local.set("token", S.token);
  return data;
}

/** @param {any} data */
export function applySession(data) {
  S.config = data.config;
  S.lang = pickLanguage(data.config, browserLanguages());
  S.visitor = data.visitor || {};
  const profile = readProfile();
  S.visitorName = profile.name || S.visitor.name || S.visitorName;
}
