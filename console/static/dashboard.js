// The KPI dashboard: live tiles over the agent socket, and the figures of a date range from
// GET /kpis (definitions: docs/kpis.md) drawn with uPlot, served by Parley itself.
import { AgentSocket, TOKEN_KEY, api, el } from "./parley-client.js";
import uPlot from "./uplot.js";
import { renderAgentTime, renderConversion, renderStaffing, minutes, num, pct } from "./dashboard-staffing.js";
import { applyTexts, language, t } from "./i18n.js";

applyTexts();
// The tab's title in the console's language too: the brand line ("Parley · Archive").
document.title = document.querySelector(".brand").textContent.trim();

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
if (!token) location.href = "/console";

// The tiles come from the server (kpi.tiles); the waiting alert's threshold is the site's
// setting, carried by them. Only the alert itself is worked out here, from supervisor frames.
const live = { chats: new Map(), tiles: null, alerted: new Set(), me: null };
const charts = [];
let staffing = [];

// ---------------------------------------------------------------- formatting

// Numbers in the console's language (Intl): 2.5 s in English is 2,5 s in Danish.
function secs(value) {
  if (value === null || value === undefined) return "–";
  if (value < 10) return `${num(Math.round(value * 10) / 10)} s`;
  if (value < 60) return `${num(Math.round(value))} s`;
  const m = Math.floor(value / 60);
  if (m < 60) return `${m}m ${Math.round(value % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
function dayAfter(day) {
  const d = new Date(day + "T00:00:00");
  d.setDate(d.getDate() + 1);
  return isoDay(d);
}
const statusName = (status) => ({ online: t("st_online"), busy: t("st_busy"), away: t("st_away") })[status] || status;
function banner(text) {
  $("#banner").textContent = text;
  $("#banner").hidden = !text;
}

// ---------------------------------------------------------------- live tiles

const socket = new AgentSocket(token, "&presence=keep");
socket.addEventListener("open", async () => {
  $("[data-testid=connection]").textContent = t("connected");
  $("[data-testid=connection]").classList.remove("down");
  try {
    const data = await api("/supervisor/overview", { token });
    live.chats = new Map(data.chats.map((c) => [c.id, c]));
    renderLive();
  } catch (e) {
    banner(e.status === 403 ? t("dash_forbidden") : t("could_not_load", { error: e.message }));
  }
});
socket.addEventListener("close", (ev) => {
  $("[data-testid=connection]").textContent = t("reconnecting");
  $("[data-testid=connection]").classList.add("down");
  if (ev.detail === 4401) location.href = "/console";
});
socket.addEventListener("frame", (ev) => {
  const f = ev.detail;
  if (f.type === "hello") {
    live.me = f.agent;
    $("[data-testid=alert-form]").hidden = f.agent.role !== "admin";
  } else if (f.type === "kpi.tiles") {
    live.tiles = f;
  } else if (f.type === "supervisor.chat") {
    if (f.chat.status === "closed") live.chats.delete(f.chat.id);
    else live.chats.set(f.chat.id, f.chat);
  } else if (f.type === "supervisor.activity") {
    const c = live.chats.get(f.chat_id);
    if (c) c.unanswered_since = f.author_type === "visitor" ? c.unanswered_since || f.at : null;
  } else return;
  renderLive();
});

function renderLive() {
  const tiles = live.tiles;
  const now = Date.now();
  if (tiles) {
    $("[data-tile=active]").textContent = num(tiles.chats_active);
    $("[data-tile=queue]").textContent = num(tiles.queue);
    // The server sends when the longest wait began; the page ticks it every second.
    $("[data-tile=longest]").textContent = tiles.longest_wait_since ? secs(Math.max(0, now - Date.parse(tiles.longest_wait_since)) / 1000) : "–";
    $("[data-tile=online]").textContent = `${num(tiles.agents_online)} (${num(tiles.load)} / ${num(tiles.capacity)})`;
    $("[data-tile=online]").title = tiles.agents.map((a) => `${a.name}: ${statusName(a.status)}, ${a.active_chats} / ${a.max_chats}`).join("\n");
    $("[data-tile=today60]").textContent = pct(tiles.answered_within_60s_pct_today);
    const input = $("[data-testid=alert-after]");
    if (document.activeElement !== input) input.value = String(tiles.alert_after_s);
  }
  checkWaits([...live.chats.values()], now);
}

// A visitor who has waited too long for an answer: a visible alert, and a sound once per chat.
function checkWaits(chats, now) {
  const waiting = chats
    .filter((c) => live.tiles && c.unanswered_since && now - Date.parse(c.unanswered_since) > live.tiles.alert_after_s * 1000)
    .sort((a, b) => Date.parse(a.unanswered_since) - Date.parse(b.unanswered_since));
  const alert = $("[data-testid=wait-alert]");
  alert.hidden = waiting.length === 0;
  if (!waiting.length) return;
  const first = waiting[0];
  const wait = secs((now - Date.parse(first.unanswered_since)) / 1000);
  alert.textContent =
    waiting.length > 1
      ? t("dash_waited_more", { name: first.visitor.name, wait, n: waiting.length - 1 })
      : t("dash_waited", { name: first.visitor.name, wait });
  if (waiting.some((c) => !live.alerted.has(c.id))) beep();
  for (const c of waiting) live.alerted.add(c.id);
}

function beep() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.15);
  } catch {
    /* no audio: the visual alert stays */
  }
}

setInterval(renderLive, 1000);

// Admins set the site's alert threshold here; every dashboard gets it with the next tiles.
async function saveAlert(ev) {
  ev.preventDefault();
  const value = Number($("[data-testid=alert-after]").value);
  try {
    await api(`/sites/${live.me.site_id}`, { method: "PATCH", body: { alert_after_s: value }, token });
    if (live.tiles) live.tiles.alert_after_s = value;
    $("[data-testid=alert-saved]").textContent = t("saved");
    renderLive();
  } catch (e) {
    $("[data-testid=alert-saved]").textContent = t("not_saved", { error: e.message });
  }
}

// ---------------------------------------------------------------- a date range

// Dates are days of the site's zone (the server's default for tz).
function query(groupBy) {
  const from = $("#from").value;
  const to = dayAfter($("#to").value);
  const g = groupBy ? `&group_by=${groupBy}` : "";
  return `/kpis?from=${from}&to=${to}${g}`;
}

async function loadRange() {
  try {
    const [byDay, byAgent, asked, byTrigger] = await Promise.all([
      api(query("day"), { token }),
      api(query("agent"), { token }),
      api(query("").replace("/kpis?", "/kpis/top-questions?"), { token }),
      api(query("trigger"), { token }),
    ]);
    banner("");
    $("[data-testid=zone]").textContent = t("dash_zone", { zone: byDay.timezone });
    renderTotals(byDay.totals);
    renderAgentTime(byDay.totals);
    renderConversion(byDay.conversion);
    staffing = byDay.staffing;
    renderStaffing(staffing, $("[data-testid=heatmap-mode]").value);
    renderFunnel(byDay.totals.invitations, byTrigger.groups);
    renderOrders(byDay.totals.orders);
    renderCharts(byDay.groups);
    renderAgents(byAgent.groups);
    renderQuestions(asked);
  } catch (e) {
    banner(e.status === 403 ? t("dash_forbidden") : t("dash_load_failed", { error: e.message }));
  }
}

function renderTotals(totals) {
  $("[data-kpi=chats]").textContent = num(totals.chats);
  $("[data-kpi=missed]").textContent = num(totals.missed);
  $("[data-kpi=within60]").textContent = pct(totals.answered_within_60s_pct);
  $("[data-kpi=first]").textContent = `${secs(totals.first_response_s.avg)} / ${secs(totals.first_response_s.p90)}`;
  $("[data-kpi=wait]").textContent = secs(totals.wait_s.avg);
  $("[data-kpi=duration]").textContent = secs(totals.duration_s.avg);
  $("[data-kpi=csat]").textContent = totals.csat && totals.csat.avg !== null ? `${num(totals.csat.avg)} / 5` : "–";
  $("[data-kpi=missed]").closest(".tile").classList.toggle("bad", totals.missed > 0);
}

const share = (part, whole) => (whole ? pct(Math.round((1000 * part) / whole) / 10) : "–");

// Invitations fired in the range and what came of them, as bars of one scale.
function renderFunnel(inv, triggers) {
  const counts = inv || { fired: 0, shown: 0, accepted: 0, dismissed: 0, chats: 0 };
  const steps = [
    ["fired", t("step_fired"), ""],
    ["shown", t("step_shown"), t("of_fired", { share: share(counts.shown || 0, counts.fired) })],
    ["accepted", t("step_accepted"), t("of_fired", { share: share(counts.accepted, counts.fired) })],
    ["chats", t("step_chats"), t("of_fired", { share: share(counts.chats, counts.fired) })],
  ];
  const max = Math.max(1, counts.fired);
  $("[data-testid=invitation-funnel]").replaceChildren(
    ...steps.map(([key, label, note]) => {
      const bar = el("span", { class: "bar" });
      bar.style.width = `${(100 * counts[key]) / max}%`;
      return el(
        "li",
        { dataset: { step: key, count: String(counts[key]) } },
        el("span", {}, el("strong", { text: num(counts[key]) }), ` ${label}`),
        el("span", {}, bar),
        el("span", { class: "muted small", text: note }),
      );
    }),
  );
  $("[data-testid=funnel-note]").textContent = counts.fired
    ? t("dash_dismissed", { n: num(counts.dismissed), share: share(counts.dismissed, counts.fired) })
    : t("dash_no_invitations");
  $("[data-testid=trigger-kpis] tbody").replaceChildren(
    ...triggers
      .filter((g) => g.key !== null && g.invitations)
      .sort((a, b) => b.invitations.fired - a.invitations.fired)
      .flatMap((g) => [
        funnelRow(g.label, g.invitations, null, { trigger: g.key }),
        // Its A/B variants below it, when it has more than one (docs/kpis.md, "A/B variants").
        ...((g.variants || []).length > 1
          ? g.variants.map((v) =>
              funnelRow(v.label, v.invitations, v.orders, { trigger: g.key, variant: v.key || "" }, v.weight))
          : []),
      ]),
  );
}

/** One row of the per-trigger table: a trigger, or one of its variants (indented, with its
 * weight and the orders credited to it). */
function funnelRow(label, inv, orders, dataset, weight) {
  const name = el("td", { class: dataset.variant === undefined ? "" : "variant", text: label });
  if (weight !== undefined && weight !== null) name.append(el("span", { class: "muted small", text: ` · ${t("weight_n", { weight: num(weight) })}` }));
  return el(
    "tr",
    { dataset },
    name,
    el("td", { text: num(inv.fired) }),
    el("td", { text: num(inv.shown || 0) }),
    el("td", { text: num(inv.accepted) }),
    el("td", { text: num(inv.dismissed) }),
    el("td", { text: num(inv.chats) }),
    el("td", { text: orders ? `${num(orders.assisted)} · ${money.format(orders.revenue)}` : "" }),
  );
}

// Order values carry no currency (the shop reports plain amounts): two decimals, the language's
// separators (1,234.50 in English, 1.234,50 in Danish).
const money = new Intl.NumberFormat(language(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function renderOrders(orders) {
  $("[data-kpi=assisted]").textContent = orders ? num(orders.assisted) : "–";
  $("[data-kpi=revenue]").textContent = orders ? money.format(orders.revenue) : "–";
}

function chart(target, opts, data) {
  const width = Math.max(320, target.clientWidth || 480);
  const plot = new uPlot({ width, height: 220, ...opts }, data, target);
  charts.push(plot);
}

// Every day of the range gets a slot (a day without chats is a gap, not a missing day), so the
// axis always spans the range that was asked for.
function everyDay(groups) {
  const byDay = new Map(groups.map((g) => [g.key.slice(0, 10), g]));
  const days = [];
  for (let day = $("#from").value; day <= $("#to").value; day = dayAfter(day)) {
    days.push({ day, group: byDay.get(day) || null });
  }
  return days;
}

// The charts' days in the console's language (21 Nov, 21. nov.), not uPlot's English names.
const dayLabel = new Intl.DateTimeFormat(language(), { day: "numeric", month: "short" });
const dayAxis = { values: (u, splits) => splits.map((x) => dayLabel.format(new Date(x * 1000))) };
const daySeries = { value: (u, x) => (x === null || x === undefined ? "–" : dayLabel.format(new Date(x * 1000))) };

function renderCharts(groups) {
  for (const c of charts.splice(0)) c.destroy();
  const slots = everyDay(groups);
  const xs = slots.map((s) => Date.parse(s.day + "T00:00:00") / 1000);
  const days = slots.map((s) => s.group || { chats: 0, missed: 0, first_response_s: { avg: null, p90: null } });
  const responseTarget = $("[data-testid=response-chart]");
  const volumeTarget = $("[data-testid=volume-chart]");
  chart(
    responseTarget,
    {
      scales: { x: { time: true } },
      series: [
        daySeries,
        { label: t("chart_average"), stroke: "#0f766e", width: 2, points: { show: true } },
        { label: "p90", stroke: "#b45309", width: 2, dash: [6, 4], points: { show: true } },
      ],
      axes: [dayAxis, { label: "s" }],
    },
    [xs, days.map((g) => g.first_response_s.avg), days.map((g) => g.first_response_s.p90)],
  );
  chart(
    volumeTarget,
    {
      scales: { x: { time: true } },
      series: [
        daySeries,
        { label: t("step_chats"), stroke: "#0f766e", fill: "rgba(15,118,110,.25)", paths: uPlot.paths.bars({ size: [0.6, 40] }) },
        { label: t("tile_missed"), stroke: "#b91c1c", fill: "rgba(185,28,28,.35)", paths: uPlot.paths.bars({ size: [0.3, 20] }) },
      ],
      axes: [dayAxis, {}],
    },
    [xs, days.map((g) => g.chats), days.map((g) => g.missed)],
  );
}

function renderAgents(groups) {
  const rows = groups
    .filter((g) => g.key !== null)
    .sort((a, b) => (a.first_response_s.avg ?? Infinity) - (b.first_response_s.avg ?? Infinity));
  $("[data-testid=agent-kpis] tbody").replaceChildren(
    ...rows.map((g) =>
      el(
        "tr",
        { dataset: { agent: g.key } },
        el("td", { text: g.label }),
        el("td", { text: num(g.chats) }),
        el("td", { text: secs(g.first_response_s.avg) }),
        el("td", { text: secs(g.first_response_s.p90) }),
        el("td", { text: num(g.missed) }),
        el("td", { text: g.utilisation ? pct(g.utilisation.pct) : "–" }),
        el("td", { text: g.utilisation ? minutes(g.utilisation.agent_s_per_chat) : "–" }),
        el("td", { text: g.concurrent ? num(g.concurrent.peak) : "–" }),
      ),
    ),
  );
}

function renderQuestions(asked) {
  $("[data-testid=top-questions]").replaceChildren(
    ...asked.questions.map((q) =>
      el(
        "li",
        { dataset: { count: String(q.count) } },
        el("strong", { text: q.label }),
        el("span", { class: "muted", text: ` — ${t(q.count === 1 ? "asked_once" : "asked_times", { n: num(q.count) })}` }),
        q.examples.length > 1
          ? el("ul", { class: "muted small" }, ...q.examples.slice(1).map((e) => el("li", { text: e.text })))
          : null,
      ),
    ),
  );
  $("[data-testid=questions-note]").textContent = asked.sampled
    ? t("dash_grouped", { n: num(asked.sampled) })
    : t("dash_no_questions");
}

async function downloadCsv() {
  const res = await fetch("/api/v1" + query("day") + "&format=csv", { headers: { Authorization: "Bearer " + token } });
  if (!res.ok) return banner(t("could_not_export", { error: res.statusText }));
  const link = el("a", { href: URL.createObjectURL(await res.blob()) });
  link.download = `parley-kpis-${$("#from").value}-${$("#to").value}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
}

const today = new Date();
const weekAgo = new Date(today);
weekAgo.setDate(today.getDate() - 6);
$("#from").value = isoDay(weekAgo);
$("#to").value = isoDay(today);
$("[data-testid=apply]").addEventListener("click", loadRange);
$("[data-testid=heatmap-mode]").addEventListener("change", (ev) => renderStaffing(staffing, ev.target.value));
$("[data-testid=alert-form]").addEventListener("submit", saveAlert);
$("[data-testid=csv]").addEventListener("click", downloadCsv);
loadRange();
socket.connect();
