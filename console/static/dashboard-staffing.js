// The dashboard's agent-time figures (docs/kpis.md, "Agent time" and "Conversion"): utilisation
// and concurrency tiles, the staffing heatmap against agents online, and conversion with and
// without a chat. Each function draws one part from a GET /kpis answer.
import { el } from "./parley-client.js";
import { language, t } from "./i18n.js";

const $ = (sel) => document.querySelector(sel);

// Numbers, percentages and weekday names in the console's language (Intl).
const numbers = new Intl.NumberFormat(language(), { maximumFractionDigits: 2 });
const percents = new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 1 });
/** A number with the language's separators. */
export const num = (v) => numbers.format(v);
/** A percentage the server sends as 0–100; "–" when there is none. */
export const pct = (v) => (v === null || v === undefined ? "–" : percents.format(v / 100));
// 2024-01-01 was a Monday: the heatmap's rows run Monday to Sunday.
const WEEKDAYS = Array.from({ length: 7 }, (_, d) =>
  new Intl.DateTimeFormat(language(), { weekday: "short", timeZone: "UTC" }).format(Date.UTC(2024, 0, 1 + d)),
);

export const minutes = (s) =>
  s === null || s === undefined ? "–" : s < 60 ? `${num(Math.round(s))} s` : s < 600 ? `${num(Math.round(s / 6) / 10)} min` : `${num(Math.round(s / 60))} min`;
export const hours = (s) => (s === null || s === undefined ? "–" : s < 3600 ? minutes(s) : `${num(Math.round(s / 360) / 10)} h`);
const mean = (v) => (v === null || v === undefined ? "–" : v > 0 && v < 0.01 ? `<${num(0.01)}` : num(Math.round(v * 100) / 100));

export function renderAgentTime(totals) {
  const u = totals.utilisation;
  const c = totals.concurrent;
  $("[data-kpi=utilisation]").textContent = u ? pct(u.pct) : "–";
  $("[data-kpi=online]").textContent = u ? hours(u.online_s) : "–";
  $("[data-kpi=per-chat]").textContent = u ? minutes(u.agent_s_per_chat) : "–";
  $("[data-kpi=per-order]").textContent = u ? minutes(u.agent_s_per_order) : "–";
  $("[data-kpi=concurrent]").textContent = c ? `${num(c.peak)} / ${mean(c.avg)}` : "–";
  // Offline messages: shown once the server counts them (null until offline chats exist).
  const offline = $("[data-kpi=offline]");
  offline.textContent = totals.offline === null || totals.offline === undefined ? "–" : num(totals.offline);
  offline.closest(".tile").hidden = totals.offline === null || totals.offline === undefined;
}

const MODES = {
  chats: { label: "dash_mode_chats", color: "15, 118, 110", value: (c) => c.chats },
  waiting: { label: "dash_mode_waiting_mean", color: "185, 28, 28", value: (c) => c.waiting_avg },
  agents: { label: "dash_mode_agents_mean", color: "29, 78, 216", value: (c) => c.agents_online_avg },
};

// 168 cells (Monday 00:00 first) in the report's zone; one measure at a time, the others in
// each cell's tooltip, so chats and waits can be read against the agents who were online.
export function renderStaffing(cells, mode) {
  const m = MODES[mode] || MODES.chats;
  const values = cells.map((c) => m.value(c) ?? 0);
  const max = Math.max(...values.map(Number), 0) || 1;
  const head = el("tr", {}, el("th", {}), ...Array.from({ length: 24 }, (_, h) => el("th", { text: h % 3 === 0 ? String(h) : "" })));
  $("[data-testid=heatmap] thead").replaceChildren(head);
  const rows = WEEKDAYS.map((day, d) =>
    el(
      "tr",
      {},
      el("th", { text: day }),
      ...cells.slice(d * 24, d * 24 + 24).map((c) => {
        const v = m.value(c);
        const shown = v === null || v === 0 ? "" : mode === "chats" ? num(v) : mean(v);
        const cell = el("td", {
          text: shown,
          title: t("dash_cell", { day, hour: `${c.hour}:00`, chats: num(c.chats), waiting: c.waiting_avg == null ? "–" : mean(c.waiting_avg), agents: c.agents_online_avg == null ? "–" : mean(c.agents_online_avg) }),
          dataset: { count: String(c.chats), agents: String(c.agents_online_avg ?? ""), waiting: String(c.waiting_avg ?? "") },
        });
        const share = (v ?? 0) / max;
        cell.style.backgroundColor = v ? `rgba(${m.color}, ${0.12 + 0.88 * share})` : "#f1f5f9";
        if (share > 0.6) cell.style.color = "#fff";
        return cell;
      }),
    ),
  );
  $("[data-testid=heatmap] tbody").replaceChildren(...rows);
  $("[data-testid=heatmap-note]").textContent = t("dash_heatmap_note", { what: t(m.label) });
}

export function renderConversion(conv) {
  const sides = conv
    ? [
        ["with_chat", t("conv_with"), conv.with_chat],
        ["without_chat", t("conv_without"), conv.without_chat],
      ]
    : [];
  const max = Math.max(1, ...sides.map(([, , s]) => s.pct ?? 0));
  $("[data-testid=conversion]").replaceChildren(
    ...sides.map(([key, label, s]) => {
      const bar = el("span", { class: "bar" });
      bar.style.width = `${(100 * (s.pct ?? 0)) / max}%`;
      return el(
        "li",
        { dataset: { step: key, pct: String(s.pct ?? "") } },
        el("span", {}, el("strong", { text: pct(s.pct) }), ` ${label}`),
        el("span", {}, bar),
        el("span", { class: "muted small", text: t("conv_of", { ordered: num(s.ordered), visitors: num(s.visitors) }) }),
      );
    }),
  );
  $("[data-testid=conversion-note]").textContent = conv && conv.seen ? t("conv_seen", { n: num(conv.seen) }) : t("conv_none");
}
