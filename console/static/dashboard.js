// The KPI dashboard: live tiles over the agent socket, and the figures of a date range from
// GET /kpis (definitions: docs/kpis.md) drawn with uPlot, served by Parley itself.
import { AgentSocket, TOKEN_KEY, api, el } from "./parley-client.js";
import uPlot from "./uplot.js";

const $ = (sel) => document.querySelector(sel);
const token = localStorage.getItem(TOKEN_KEY);
if (!token) location.href = "/console";

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
// A visitor waiting this long for an answer raises the alert (?alert_after_s= overrides it).
const ALERT_AFTER_S = Number(new URLSearchParams(location.search).get("alert_after_s")) || 60;
const live = { chats: new Map(), agents: new Map(), queue: {}, alerted: new Set() };
const charts = [];

// ---------------------------------------------------------------- formatting

function secs(value) {
  if (value === null || value === undefined) return "–";
  if (value < 10) return `${Math.round(value * 10) / 10} s`;
  if (value < 60) return `${Math.round(value)} s`;
  const m = Math.floor(value / 60);
  if (m < 60) return `${m}m ${Math.round(value % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
const pct = (v) => (v === null || v === undefined ? "–" : `${v}%`);
const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
function dayAfter(day) {
  const d = new Date(day + "T00:00:00");
  d.setDate(d.getDate() + 1);
  return isoDay(d);
}
function banner(text) {
  $("#banner").textContent = text;
  $("#banner").hidden = !text;
}

// ---------------------------------------------------------------- live tiles

const socket = new AgentSocket(token, "&presence=keep");
socket.addEventListener("open", async () => {
  $("[data-testid=connection]").textContent = "Connected";
  $("[data-testid=connection]").classList.remove("down");
  try {
    const data = await api("/supervisor/overview", { token });
    live.chats = new Map(data.chats.map((c) => [c.id, c]));
    live.agents = new Map(data.agents.map((a) => [a.id, a]));
    live.queue = data.queue;
    renderLive();
    refreshToday();
  } catch (e) {
    banner(e.status === 403 ? "The dashboard is for supervisors and admins." : "Could not load: " + e.message);
  }
});
socket.addEventListener("close", (ev) => {
  $("[data-testid=connection]").textContent = "Reconnecting…";
  $("[data-testid=connection]").classList.add("down");
  if (ev.detail === 4401) location.href = "/console";
});
socket.addEventListener("frame", (ev) => {
  const f = ev.detail;
  if (f.type === "supervisor.chat") {
    if (f.chat.status === "closed") live.chats.delete(f.chat.id);
    else live.chats.set(f.chat.id, f.chat);
    refreshTodaySoon();
  } else if (f.type === "supervisor.activity") {
    const c = live.chats.get(f.chat_id);
    if (c) c.unanswered_since = f.author_type === "visitor" ? c.unanswered_since || f.at : null;
  } else if (f.type === "presence.update") {
    const a = live.agents.get(f.agent_id);
    if (a) Object.assign(a, { status: f.status, active_chats: f.active_chats });
  } else if (f.type === "queue.update") {
    live.queue = f.waiting;
  } else return;
  renderLive();
});

function renderLive() {
  const chats = [...live.chats.values()];
  const queued = chats.filter((c) => c.status === "queued");
  const now = Date.now();
  const longest = queued.reduce((m, c) => Math.max(m, (now - Date.parse(c.queued_at || c.created_at)) / 1000), 0);
  const online = [...live.agents.values()].filter((a) => a.status === "online");
  const load = online.reduce((n, a) => n + a.active_chats, 0);
  const capacity = online.reduce((n, a) => n + a.max_chats, 0);
  $("[data-tile=active]").textContent = String(chats.filter((c) => c.status === "active").length);
  $("[data-tile=queue]").textContent = String(queued.length);
  $("[data-tile=longest]").textContent = queued.length ? secs(longest) : "–";
  $("[data-tile=online]").textContent = `${online.length} (${load} / ${capacity})`;
  checkWaits(chats, now);
}

// A visitor who has waited too long for an answer: a visible alert, and a sound once per chat.
function checkWaits(chats, now) {
  const waiting = chats
    .filter((c) => c.unanswered_since && now - Date.parse(c.unanswered_since) > ALERT_AFTER_S * 1000)
    .sort((a, b) => Date.parse(a.unanswered_since) - Date.parse(b.unanswered_since));
  const alert = $("[data-testid=wait-alert]");
  alert.hidden = waiting.length === 0;
  if (!waiting.length) return;
  const first = waiting[0];
  const more = waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : "";
  alert.textContent = `${first.visitor.name} has waited ${secs((now - Date.parse(first.unanswered_since)) / 1000)} for an answer${more}.`;
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

let todayTimer = 0;
function refreshTodaySoon() {
  clearTimeout(todayTimer);
  todayTimer = setTimeout(refreshToday, 1500);
}
async function refreshToday() {
  const today = isoDay(new Date());
  const out = await api(`/kpis?from=${today}&to=${dayAfter(today)}&tz=${encodeURIComponent(zone)}`, { token });
  $("[data-tile=today60]").textContent = pct(out.totals.answered_within_60s_pct);
}
setInterval(renderLive, 1000);

// ---------------------------------------------------------------- a date range

function query(groupBy) {
  const from = $("#from").value;
  const to = dayAfter($("#to").value);
  const g = groupBy ? `&group_by=${groupBy}` : "";
  return `/kpis?from=${from}&to=${to}&tz=${encodeURIComponent(zone)}${g}`;
}

async function loadRange() {
  try {
    const [byDay, byAgent, byHour, asked, byTrigger] = await Promise.all([
      api(query("day"), { token }),
      api(query("agent"), { token }),
      api(query("hour"), { token }),
      api(query("").replace("/kpis?", "/kpis/top-questions?"), { token }),
      api(query("trigger"), { token }),
    ]);
    banner("");
    renderTotals(byDay.totals);
    renderFunnel(byDay.totals.invitations, byTrigger.groups);
    renderOrders(byDay.totals.orders);
    renderCharts(byDay.groups);
    renderHeatmap(byHour.groups);
    renderAgents(byAgent.groups);
    renderQuestions(asked);
  } catch (e) {
    banner(e.status === 403 ? "The dashboard is for supervisors and admins." : "Could not load the figures: " + e.message);
  }
}

function renderTotals(t) {
  $("[data-kpi=chats]").textContent = String(t.chats);
  $("[data-kpi=missed]").textContent = String(t.missed);
  $("[data-kpi=within60]").textContent = pct(t.answered_within_60s_pct);
  $("[data-kpi=first]").textContent = `${secs(t.first_response_s.avg)} / ${secs(t.first_response_s.p90)}`;
  $("[data-kpi=wait]").textContent = secs(t.wait_s.avg);
  $("[data-kpi=duration]").textContent = secs(t.duration_s.avg);
  $("[data-kpi=csat]").textContent = t.csat && t.csat.avg !== null ? `${t.csat.avg} / 5` : "–";
  $("[data-kpi=missed]").closest(".tile").classList.toggle("bad", t.missed > 0);
}

const share = (part, whole) => (whole ? `${Math.round((1000 * part) / whole) / 10}%` : "–");

// Invitations fired in the range and what came of them, as bars of one scale.
function renderFunnel(inv, triggers) {
  const counts = inv || { fired: 0, shown: 0, accepted: 0, dismissed: 0, chats: 0 };
  const steps = [
    ["fired", "fired", ""],
    ["shown", "shown", share(counts.shown || 0, counts.fired) + " of fired"],
    ["accepted", "accepted", share(counts.accepted, counts.fired) + " of fired"],
    ["chats", "chats", share(counts.chats, counts.fired) + " of fired"],
  ];
  const max = Math.max(1, counts.fired);
  $("[data-testid=invitation-funnel]").replaceChildren(
    ...steps.map(([key, label, note]) => {
      const bar = el("span", { class: "bar" });
      bar.style.width = `${(100 * counts[key]) / max}%`;
      return el(
        "li",
        { dataset: { step: key, count: String(counts[key]) } },
        el("span", {}, el("strong", { text: String(counts[key]) }), ` ${label}`),
        el("span", {}, bar),
        el("span", { class: "muted small", text: note }),
      );
    }),
  );
  $("[data-testid=funnel-note]").textContent = counts.fired
    ? `${counts.dismissed} dismissed (${share(counts.dismissed, counts.fired)}).`
    : "No invitations fired in this range.";
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
  if (weight !== undefined && weight !== null) name.append(el("span", { class: "muted small", text: ` · weight ${weight}` }));
  return el(
    "tr",
    { dataset },
    name,
    el("td", { text: String(inv.fired) }),
    el("td", { text: String(inv.shown || 0) }),
    el("td", { text: String(inv.accepted) }),
    el("td", { text: String(inv.dismissed) }),
    el("td", { text: String(inv.chats) }),
    el("td", { text: orders ? `${orders.assisted} · ${money.format(orders.revenue)}` : "" }),
  );
}

const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function renderOrders(orders) {
  $("[data-kpi=assisted]").textContent = orders ? String(orders.assisted) : "–";
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
        {},
        { label: "average", stroke: "#0f766e", width: 2, points: { show: true } },
        { label: "p90", stroke: "#b45309", width: 2, dash: [6, 4], points: { show: true } },
      ],
      axes: [{}, { label: "s" }],
    },
    [xs, days.map((g) => g.first_response_s.avg), days.map((g) => g.first_response_s.p90)],
  );
  chart(
    volumeTarget,
    {
      scales: { x: { time: true } },
      series: [
        {},
        { label: "chats", stroke: "#0f766e", fill: "rgba(15,118,110,.25)", paths: uPlot.paths.bars({ size: [0.6, 40] }) },
        { label: "missed", stroke: "#b91c1c", fill: "rgba(185,28,28,.35)", paths: uPlot.paths.bars({ size: [0.3, 20] }) },
      ],
    },
    [xs, days.map((g) => g.chats), days.map((g) => g.missed)],
  );
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

// Hour groups come keyed by their local start ("2026-11-20T09:00:00+01:00"): read day and hour
// from the key itself, so the map shows the site's clock whatever the browser's offset.
function renderHeatmap(hours) {
  const counts = WEEKDAYS.map(() => new Array(24).fill(0));
  for (const g of hours) {
    const [y, m, d] = g.key.slice(0, 10).split("-").map(Number);
    const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
    counts[weekday][Number(g.key.slice(11, 13))] += g.chats;
  }
  const max = Math.max(1, ...counts.flat());
  const head = el("tr", {}, el("th", {}), ...Array.from({ length: 24 }, (_, h) => el("th", { text: h % 3 === 0 ? String(h) : "" })));
  $("[data-testid=heatmap] thead").replaceChildren(head);
  $("[data-testid=heatmap] tbody").replaceChildren(
    ...counts.map((row, i) =>
      el(
        "tr",
        {},
        el("th", { text: WEEKDAYS[i] }),
        ...row.map((n, h) => {
          const cell = el("td", { text: n ? String(n) : "", title: `${WEEKDAYS[i]} ${h}:00: ${n} chats`, dataset: { count: String(n) } });
          cell.style.backgroundColor = n ? `rgba(15, 118, 110, ${0.12 + 0.88 * (n / max)})` : "#f1f5f9";
          if (n / max > 0.6) cell.style.color = "#fff";
          return cell;
        }),
      ),
    ),
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
        el("td", { text: String(g.chats) }),
        el("td", { text: secs(g.first_response_s.avg) }),
        el("td", { text: secs(g.first_response_s.p90) }),
        el("td", { text: String(g.missed) }),
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
        el("span", { class: "muted", text: ` — asked ${q.count} time${q.count === 1 ? "" : "s"}` }),
        q.examples.length > 1
          ? el("ul", { class: "muted small" }, ...q.examples.slice(1).map((e) => el("li", { text: e.text })))
          : null,
      ),
    ),
  );
  $("[data-testid=questions-note]").textContent = asked.sampled
    ? `Grouped from the first message of ${asked.sampled} chats.`
    : "No questions in this range yet.";
}

async function downloadCsv() {
  const res = await fetch("/api/v1" + query("day") + "&format=csv", { headers: { Authorization: "Bearer " + token } });
  if (!res.ok) return banner("Could not export: " + res.statusText);
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
$("[data-testid=zone]").textContent = `Times in ${zone}`;
$("[data-testid=apply]").addEventListener("click", loadRange);
$("[data-testid=csv]").addEventListener("click", downloadCsv);
loadRange();
socket.connect();
