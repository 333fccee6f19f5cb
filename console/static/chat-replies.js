// The saved-replies popup of the composer: typing "/" and a shortcut lists the matching replies
// (arrows choose, Enter or Tab inserts, Escape closes). The composer keeps focus and points
// at the active option (aria-activedescendant), so screen readers follow the arrows. With no
// saved replies at all, the popup says so and links to where they are made (admin #/replies).
import { api, el } from "./parley-client.js";
import { $, state } from "./chat-state.js";
import { toast } from "./chat-notify.js";
import { t } from "./i18n.js";

const ADMIN_REPLIES = "/console/admin#/replies";

export async function loadReplies() {
  try {
    state.replies = (await api("/saved-replies", { token: state.token })).items;
  } catch {
    state.replies = [];
  }
}

const popup = () => $("[data-testid=saved-replies]");
const composer = () => $("[data-testid=composer]");

/** Opens, narrows or closes the popup for the composer's text ("/sh" lists /ship...). */
export function updateCompletions(text) {
  const m = /^\/([\w-]*)$/.exec(text);
  if (!m) return hideCompletions();
  const prefix = m[1].toLowerCase();
  state.completion.items = state.replies.filter((r) => r.shortcut.toLowerCase().startsWith(prefix)).slice(0, 8);
  state.completion.index = 0;
  state.completion.empty = state.replies.length === 0;
  renderCompletions();
}

/** The popup's keys; true when the key was the popup's (the composer does nothing more). */
export function completionKey(ev) {
  if (popup().hidden || !state.completion.items.length) {
    if (ev.key === "Escape" && !popup().hidden) {
      hideCompletions();
      return true;
    }
    return false;
  }
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    ev.preventDefault();
    const n = state.completion.items.length;
    state.completion.index = (state.completion.index + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
    renderCompletions();
    return true;
  }
  if (ev.key === "Enter" || ev.key === "Tab") {
    ev.preventDefault();
    pickReply(state.completion.items[state.completion.index]);
    return true;
  }
  if (ev.key === "Escape") {
    hideCompletions();
    return true;
  }
  return false;
}

function renderCompletions() {
  const list = popup();
  const { items, index, empty } = state.completion;
  list.hidden = items.length === 0 && !empty;
  if (items.length) list.setAttribute("role", "listbox");
  else list.removeAttribute("role");
  list.replaceChildren(
    ...(items.length
      ? items.map((r, i) =>
          el(
            "li",
            {
              id: `saved-reply-${i}`,
              role: "option",
              "aria-selected": String(i === index),
              "data-testid": "saved-reply-option",
              class: i === index ? "active" : "",
              onmousedown: (ev) => (ev.preventDefault(), pickReply(r)),
            },
            el("strong", {}, "/" + r.shortcut),
            " ",
            el("span", {}, r.title),
            el("div", { class: "muted small" }, r.body),
          ),
        )
      : [el("li", { class: "empty", "data-testid": "saved-replies-empty" }, t("no_saved_replies"), " ", el("a", { href: ADMIN_REPLIES, "data-testid": "saved-replies-create" }, t("create_saved_reply")))]),
  );
  const input = composer();
  if (items.length) input.setAttribute("aria-activedescendant", `saved-reply-${index}`);
  else input.removeAttribute("aria-activedescendant");
  const active = list.querySelector(".active");
  if (active) active.scrollIntoView({ block: "nearest" });
}

export function hideCompletions() {
  popup().hidden = true;
  state.completion.items = [];
  state.completion.empty = false;
  composer().removeAttribute("aria-activedescendant");
}

async function pickReply(reply) {
  hideCompletions();
  if (!reply) return;
  try {
    const out = await api(`/saved-replies/${reply.id}/use`, { method: "POST", token: state.token, body: { chat_id: state.selected } });
    composer().value = out.body;
    reply.usage_count += 1;
  } catch (e) {
    toast(e.message);
  }
  composer().focus();
}
