// @ts-check
/** Builds an element. Text only ever goes in as text (textContent or text nodes), never as HTML. */

/**
 * @typedef {string | number | boolean | null | undefined | Node | any[]} Child
 * @typedef {Record<string, any>} Attrs `class`, `text` (textContent), `dataset`, `on<event>`
 *   handlers; true sets an empty attribute; null, undefined and false are left out.
 */

/**
 * @param {string} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} kids
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of kids.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "object" ? /** @type {Node} */ (c) : document.createTextNode(String(c)));
  }
  return node;
}

export const el = h;
