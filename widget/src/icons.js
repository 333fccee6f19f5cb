// @ts-check
/** The widget's icons: our own static SVG, the only markup ever set as HTML. */

/** @param {string} body @param {number} [size] */
const svg = (body, size) =>
  '<svg viewBox="0 0 24 24" width="' + (size || 24) + '" height="' + (size || 24) +
  '" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' +
  'stroke-linejoin="round" aria-hidden="true" focusable="false">' + body + "</svg>";

export const ICON_CLIP = '<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 11.5 12.5 20a5 5 0 0 1-7-7l9-9a3.5 3.5 0 0 1 5 5l-9 9a2 2 0 0 1-3-3l8-8"/></svg>';
export const ICON_CHAT = svg('<path d="M21 11.5a8.4 8.4 0 0 1-9 8.4 9.3 9.3 0 0 1-3.9-.8L3 20.5l1.4-4.2A7.9 7.9 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3a8.4 8.4 0 0 1 9 8.5z"/>', 28);
export const ICON_DOWN = svg('<path d="M6 9l6 6 6-6"/>', 28);
export const ICON_MIN = svg('<path d="M6 9l6 6 6-6"/>', 22);
export const ICON_SEND = svg('<path d="M5 12h13M13 6l6 6-6 6"/>', 20);

/** Puts one of the icons above into `node`. @template {Element} T @param {T} node @param {string} icon @returns {T} */
export function withIcon(node, icon) {
  node.innerHTML = icon;
  return node;
}
