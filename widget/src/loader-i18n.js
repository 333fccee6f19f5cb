// @ts-check
/** The loader's few texts (the bubble, the unread count, the invitation's teaser) in every
 * language: only the catalogues' `loader` parts are bundled here, the panel's texts come with
 * the panel (widget/i18n/<lang>.json, fetched by launcher.js). */
import { loader as da } from "../i18n/da.json";
import { loader as de } from "../i18n/de.json";
import { loader as en } from "../i18n/en.json";
import { loader as nl } from "../i18n/nl.json";
import { loader as sv } from "../i18n/sv.json";
import { S } from "./state.js";
import { fill } from "./text.js";

/** @type {Record<string, Record<string, string>>} */
const TEXTS = { en, da, sv, nl, de };

/** A loader text in the visitor's language. @param {keyof typeof en} key @param {Record<string, unknown>} [params] */
export function lt(key, params) {
  return fill((TEXTS[S.lang] || en)[key] || en[key], params);
}
