// The chat: everyone's messages, and in breakout groups only your group's (facilitators see all).

import { h, append, setText } from "./dom.js";
import { formatTime } from "./format.js";

const MAX_SHOWN = 300;

/** Whether a chat message is for me, as the state says. */
export function visibleMessage(state, message, me, canFacilitate) {
  if (message.group === null || message.group === undefined) return true;
  if (canFacilitate) return true;
  const members = state.breakouts?.groups?.[message.group];
  return Array.isArray(members) && members.includes(me);
}

export function createChat(app) {
  const draft = app.draft("chat");
  const list = h("ol", { class: "ws-chat-messages" });
  // A log (a polite live region) around the list: new messages are read out, the list stays a list.
  const log = h("div", { class: "ws-chat-list", role: "log", "aria-labelledby": "ws-chat-heading", tabIndex: 0 }, list);
  const empty = h("p", { class: "hint" }, app.t("No messages yet."));
  const input = h("input", {
    type: "text",
    id: "ws-chat-input",
    maxLength: 1000,
    autocomplete: "off",
    value: draft.get(),
  });
  const sendButton = h("button", { type: "submit" }, app.t("Send"));
  const status = h("p", { class: "ws-chat-status", role: "status" });
  const form = h(
    "form",
    { class: "ws-chat-form" },
    h("label", { for: "ws-chat-input" }, app.t("Your message")),
    h("div", { class: "ws-chat-row" }, input, sendButton),
    status,
  );
  const element = h(
    "section",
    { class: "ws-panel ws-chat", "aria-labelledby": "ws-chat-heading" },
    h("h2", { id: "ws-chat-heading" }, app.t("Chat")),
    log,
    empty,
    form,
  );
  let shown = 0; // messages of state.chat already looked at
  let visibleCount = 0;
  let filterKey = "";
  let sending = false;

  input.addEventListener("input", () => draft.set(input.value));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || sending) return;
    // The text stays in the box (and in the draft) until the server has it.
    sending = true;
    input.readOnly = true;
    sendButton.disabled = true;
    setText(status, app.connected() ? app.t("Sending…") : app.t("Not sent yet: waiting for the connection."));
    app.send("chat.post", { text }, { draft: "chat" }).then(
      () => {
        draft.clear();
        input.value = "";
        setText(status, "");
        finish();
      },
      (error) => {
        setText(
          status,
          error.code === "too_many"
            ? app.t("The chat is full.")
            : error.code === "too_many_yours"
              ? app.t("You have sent as many messages as one person may.")
              : app.t("Your message was not sent. Try again."),
        );
        finish();
      },
    );
  });

  function finish() {
    sending = false;
    input.readOnly = false;
    sendButton.disabled = false;
    if (document.activeElement === document.body) input.focus();
  }

  function renderMessage(message) {
    const mine = message.author === app.me;
    const groupLabel = message.group ? app.t("group {name}", { name: message.group.replace(/^groep-/, "") }) : null;
    return h(
      "li",
      { class: mine ? "is-mine" : "" },
      h(
        "p",
        { class: "ws-chat-meta" },
        h("span", { class: "ws-chat-author" }, message.author ? app.nameOf(message.author) : app.t("anonymous")),
        " ",
        h("time", { dateTime: new Date(message.at * 1000).toISOString() }, formatTime(message.at)),
        groupLabel ? h("span", { class: "ws-chat-group" }, ` · ${groupLabel}`) : null,
      ),
      h("p", { class: "ws-chat-text" }, message.text),
    );
  }

  function update(state) {
    const canFacilitate = app.canFacilitate();
    const key = JSON.stringify([canFacilitate, state.breakouts?.groups]);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    if (key !== filterKey || state.chat.length < shown) {
      // Who sees which group's messages changed: draw again.
      filterKey = key;
      list.replaceChildren();
      shown = 0;
      visibleCount = 0;
    }
    const fresh = [];
    for (const message of state.chat.slice(shown)) {
      if (visibleMessage(state, message, app.me, canFacilitate)) fresh.push(renderMessage(message));
    }
    shown = state.chat.length;
    if (fresh.length) {
      append(list, fresh);
      visibleCount += fresh.length;
      while (list.children.length > MAX_SHOWN) list.firstElementChild.remove();
      if (atBottom || fresh.length === visibleCount) log.scrollTop = log.scrollHeight;
    }
    empty.hidden = visibleCount > 0;
    const removed = state.people[app.me]?.removed === true;
    input.disabled = removed;
    if (!sending) sendButton.disabled = removed;
  }

  // A message sent before a reload was acknowledged after it: the box no longer needs it.
  function acked(frame) {
    if (frame.type === "chat.post" && !sending && input.value.trim() === frame.text) {
      input.value = "";
      draft.clear();
    }
  }

  return { element, update, acked };
}
