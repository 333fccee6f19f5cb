// A visitor's page trail, as the chat view and the visitors page show it: the pages they looked
// at and what the shop's page reported (Parley.track), newest first.
import { el } from "./parley-client.js";
import { relative } from "./reltime.js";

// What the shop's page reported (Parley.track), as a line in the visitor's trail.
export function trailEvent(e) {
  const d = e.data || {};
  let title;
  if (e.name === "cart.updated" && d.value != null) title = `Cart updated: ${d.value}`;
  else if (e.name === "order.completed") title = `Order completed${d.order_id ? " " + d.order_id : ""}${d.value != null ? ": " + d.value : ""}`;
  else {
    const rest = Object.entries(d).slice(0, 3).map(([k, v]) => `${k}: ${v}`).join(", ");
    title = `Event: ${e.name}${rest ? " (" + rest + ")" : ""}`;
  }
  return { url: e.url || "", title, at: e.at, event: e.name };
}

// GET /visitors/{id}'s pages and events as one list, newest first.
export function trailOf(detail) {
  const lines = [...(detail.pages || []), ...(detail.events || []).map(trailEvent)];
  return lines.sort((a, b) => (a.at < b.at ? 1 : -1));
}

// The list items of a trail (at most 15; the newest marked current).
export function trailItems(lines) {
  return lines
    .slice(0, 15)
    .map((p, i) =>
      el("li", { class: i === 0 ? "current" : "" }, el("span", { class: "page-title" }, p.title || p.url), el("span", { class: "muted small" }, " " + relative(p.at))),
    );
}
