// The chat: everyone's messages, and in breakout groups only your group's (facilitators see all).
// You delete your own messages; facilitators any (a client's name typed in haste, abuse).

import { h, append, setText } from "./dom.js";
import { confirmDialog } from "./dialog.js";
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

  async function deleteMessage(message) {
    const sure = await confirmDialog(
      app.t("Delete this message?"),
      app.t("Delete"),
      app.t("Everyone then sees only that a message was deleted, not its text."),
    );
    if (!sure) return;
    app.send("chat.delete", { message: message.message }).then(
      () => {
        setText(status, app.t("The message was deleted."));
        log.focus(); // the list is drawn again: the button that had the focus is gone
      },
      () => setText(status, app.t("The message could not be deleted.")),
    );
  }

  function renderMessage(message, canFacilitate) {
    const mine = message.author === app.me;
    const author = message.author ? app.nameOf(message.author) : app.t("anonymous");
    const time = formatTime(message.at);
    const groupLabel = message.group ? app.t("group {name}", { name: message.group.replace(/^groep-/, "") }) : null;
    const removable = !message.deleted && Boolean(message.message) && (mine || canFacilitate) && !app.state.people[app.me]?.removed;
    return h(
      "li",
      { class: mine ? "is-mine" : "", "data-message": message.message || null },
      h(
        "p",
        { class: "ws-chat-meta" },
        h("span", { class: "ws-chat-author" }, author),
        " ",
        h("time", { dateTime: new Date(message.at * 1000).toISOString() }, time),
        groupLabel ? h("span", { class: "ws-chat-group" }, ` · ${groupLabel}`) : null,
        removable
          ? h(
              "button",
              {
                type: "button",
                class: "ws-chat-delete",
                "aria-label": app.t("Delete the message of {name} at {time}", { name: author, time }),
                onclick: () => deleteMessage(message),
              },
              app.t("Delete"),
            )
          : null,
      ),
      message.deleted
        ? h("p", { class: "ws-chat-text is-deleted" }, app.t("This message was deleted."))
        : h("p", { class: "ws-chat-text" }, message.text),
    );
  }

  function update(state) {
    const canFacilitate = app.canFacilitate();
    // A deletion changes a message already drawn: draw again (deletions are rare).
    const deletions = state.chat.reduce((count, message) => count + (message.deleted ? 1 : 0), 0);
    const removed = state.people[app.me]?.removed === true;
    const key = JSON.stringify([canFacilitate, state.breakouts?.groups, deletions, removed]);
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
      if (visibleMessage(state, message, app.me, canFacilitate)) fresh.push(renderMessage(message, canFacilitate));
    }
    shown = state.chat.length;
    if (fresh.length) {
      append(list, fresh);
      visibleCount += fresh.length;
      while (list.children.length > MAX_SHOWN) list.firstElementChild.remove();
      if (atBottom || fresh.length === visibleCount) log.scrollTop = log.scrollHeight;
    }
    empty.hidden = visibleCount > 0;
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
