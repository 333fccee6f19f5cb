// Office hours: when the shop answers, whom offline messages are mailed to, and whether the
// bubble hides meanwhile (docs/protocol.md, "Office hours"). One form of the admin page, so a
// refusal ("office_hours.weekly.mon.0: ...") shows beside the day it is about. A day's ranges
// are typed as "09:00-12:00, 13:00-17:00"; empty is closed.
import { el, form, note, section } from "./admin-ui.js";
import { language, t } from "./i18n.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WORKDAYS = { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]], wed: [["09:00", "17:00"]], thu: [["09:00", "17:00"]], fri: [["09:00", "17:00"]] };

// The weekday's name in the chosen language (2024-01-01 was a Monday).
function dayName(i) {
  return new Date(Date.UTC(2024, 0, 1 + i)).toLocaleDateString(language(), { weekday: "long", timeZone: "UTC" });
}

export function rangesText(ranges) {
  return (ranges || []).map(([start, end]) => `${start}-${end}`).join(", ");
}

// "09:00-12:00, 13:00 – 17:00" as [["09:00","12:00"],["13:00","17:00"]]; what is not a range is
// passed on as typed, for the server to refuse beside the field.
export function parseRanges(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((r) => {
    const m = /^(\S+)\s*[-–]\s*(\S+)$/.exec(r);
    return m ? [m[1], m[2]] : [r, ""];
  });
}

export const title = t("adm_nav_hours");

export async function render(ctx) {
  const site = await ctx.reloadSite();
  const hours = site.office_hours;
  const weekly = (hours && hours.weekly) || WORKDAYS;
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["Europe/Copenhagen"];
  const zone = (hours && hours.timezone) || site.timezone || "UTC";
  const settings = form({
    testid: "hours-form",
    readOnly: !ctx.admin,
    fields: [
      { name: "use_hours", label: t("adm_hours_use"), type: "checkbox", value: Boolean(hours) },
      { name: "office_hours.timezone", label: t("adm_hours_zone"), type: "select", value: zone,
        options: ["UTC", ...zones.filter((z) => z !== "UTC" && z !== zone), ...(zone === "UTC" ? [] : [zone])].sort() },
      ...DAYS.map((d, i) => ({ name: `office_hours.weekly.${d}`, label: dayName(i), value: rangesText(weekly[d]), placeholder: t("adm_hours_closed") })),
      { name: "office_hours.holidays", label: t("adm_hours_holidays"), type: "lines", value: (hours && hours.holidays) || [], placeholder: "2026-12-24" },
      { name: "notify_emails", label: t("adm_hours_notify"), type: "lines", value: site.notify_emails || [] },
      { name: "hide_when_offline", label: t("adm_hours_hide"), type: "checkbox", value: site.hide_when_offline },
    ],
    save: (v) => {
      const body = { notify_emails: v.notify_emails, hide_when_offline: v.hide_when_offline, office_hours: null };
      if (v.use_hours) {
        const week = {};
        for (const d of DAYS) week[d] = parseRanges(v.office_hours.weekly[d]);
        body.office_hours = { timezone: v.office_hours.timezone, weekly: week, holidays: v.office_hours.holidays };
      }
      return ctx.api(`/sites/${site.id}`, { method: "PATCH", body });
    },
    done: () => ctx.reloadSite(),
  });
  const mail = await ctx.api("/mail/status").catch(() => null);
  return el("div", { class: "admin-grid" },
    section(t("adm_hours_week"), note(t("adm_hours_note")), settings),
    section(t("adm_hours_inbox"), note(t("adm_hours_inbox_note")),
      mail && !mail.enabled ? el("p", { class: "banner small", "data-testid": "hours-smtp" }, t("adm_hours_no_mail", { reason: mail.reason || "" })) : null,
      el("p", {}, el("a", { class: "link", href: "/console", "data-testid": "hours-inbox-link" }, t("adm_hours_inbox_link")))),
  );
}
