// @ts-check
/** Readable colours for any theme colour a shop picks (WCAG 2 relative luminance). Pure, so the
 * rule is unit-tested (widget/test/contrast.test.js): the header, the bubble and the visitor's
 * messages put black or white text on the shop's colour, whichever contrasts more; text in the
 * shop's colour on the white panel (links, the ghost button) falls back to near-black when the
 * colour is too light to read there. */

/** @typedef {[number, number, number]} RGB */

/** The "r, g, b" of a CSS rgb()/rgba() string or a #rgb/#rrggbb colour, else null.
 * @param {string} css @returns {RGB | null} */
export function parseRgb(css) {
  const s = String(css || "").trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const x = hex[1].length === 3 ? hex[1].replace(/./g, "$&$&") : hex[1];
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(x.slice(i, i + 2), 16));
    return [r, g, b];
  }
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** WCAG 2 relative luminance, 0 (black) to 1 (white). @param {RGB} rgb */
export function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = Math.min(255, Math.max(0, v)) / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two colours, 1 to 21. @param {RGB} a @param {RGB} b */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export const BLACK = "#000000";
export const WHITE = "#ffffff";
export const INK = "#0f172a";

/** Black or white: whichever reads better on `rgb`. @param {RGB} rgb */
export function textOn(rgb) {
  return contrast(rgb, [255, 255, 255]) >= contrast(rgb, [0, 0, 0]) ? WHITE : BLACK;
}

/** The colour for text in the shop's colour on white: the colour itself when it reaches 4.5:1,
 * else the panel's ink. @param {RGB} rgb @param {string} css the colour as given */
export function inkOnWhite(rgb, css) {
  return contrast(rgb, [255, 255, 255]) >= 4.5 ? css : INK;
}
