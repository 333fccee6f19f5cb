// The open chat's actions beside its title: accept an offer, close, dismiss an ended chat, and
// transfer it to a colleague (only those online with room can be chosen) or to a skill.
import { el } from "./parley-client.js";
import { $, state } from "./chat-state.js";
import { removeChat } from "./chat-list.js";
import { loadAgents } from "./chat-session.js";
import { toast } from "./chat-notify.js";
import { t } from "./i18n.js";

export function setupChatActions() {
  $("[data-testid=accept]").addEventListener("click", () => {
    state.socket.send({ type: "chat.accept", chat_id: state.selected });
  });

  $("[data-testid=close-chat]").addEventListener("click", () => {
    state.socket.send({ type: "chat.close", chat_id: state.selected });
  });

  $("[data-testid=dismiss]").addEventListener("click", () => removeChat(state.selected));

  $("[data-testid=transfer]").addEventListener("click", async () => {
    await loadAgents();
    const select = $("[data-testid=transfer-agent]");
    const others = [...state.agents.values()].filter((a) => state.me && a.id !== state.me.id);
    select.replaceChildren(
      el("option", { value: "" }, t("choose_colleague")),
      ...others.map((a) => {
        const full = a.active_chats >= a.max_chats;
        const label = a.status === "online"
          ? t("xfer_colleague_online", { name: a.name, chats: a.active_chats, max: a.max_chats })
          : t("xfer_colleague", { name: a.name, status: t(`adm_status_${a.status}`) });
        return el("option", { value: a.id, disabled: a.status !== "online" || full }, label);
      }),
    );
    $("#skill-list").replaceChildren(...state.skills.map((s) => el("option", { value: s })));
    $("[data-testid=transfer-skill]").value = "";
    $("[data-testid=transfer-note]").value = "";
    $("#transfer-dialog").showModal();
  });

  $("#transfer-dialog").addEventListener("close", () => {
    if ($("#transfer-dialog").returnValue !== "ok") return;
    const toAgent = $("[data-testid=transfer-agent]").value;
    const toSkill = $("[data-testid=transfer-skill]").value.trim();
    const note = $("[data-testid=transfer-note]").value.trim();
    if (!toAgent && !toSkill) return toast(t("choose_colleague_or_skill"));
    const frame = { type: "chat.transfer", chat_id: state.selected };
    if (toAgent) frame.to_agent_id = toAgent;
    else frame.to_skill = toSkill;
    if (note) frame.note = note;
    state.socket.send(frame);
  });
}
