// @ts-check
/** What the page's address asks of the widget: `?parley=open` or `#parley` opens the panel (links
 * in marketing e-mails), and with `?parley=open&department=billing` the pre-chat form has that
 * topic chosen. Pure, so node --test checks it. */

/** @param {string} href @returns {{open: boolean, department: string | null}} */
export function deepLink(href) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return { open: false, department: null };
  }
  const q = url.searchParams;
  const open = (q.get("parley") || "").toLowerCase() === "open" || url.hash.toLowerCase() === "#parley";
  const department = open ? (q.get("department") || "").trim().slice(0, 64) : "";
  return { open, department: department || null };
}

/** The address as a page view counts it: a jump to an anchor (#reviews) is the same page, a
 * hash route (#/cart, #!/cart) is not. @param {string} href */
export function pageKey(href) {
  const at = href.indexOf("#");
  if (at < 0) return href;
  const hash = href.slice(at);
  return hash.startsWith("#/") || hash.startsWith("#!") ? href : href.slice(0, at);
}
