// Breakout groups: facilitators open them (random, by choice, or room apart from remote), send a
// message to every group and call everyone back. Participants see their group and its members,
// choose a group in choice mode, read the facilitator's messages, and work on their group's board.
// Each group may have a video room of its own: made on a Jitsi link when the groups open, or set
// per group by a facilitator (BigBlueButton, …). A participant only ever receives their own
// group's room; facilitators see and change every group's.

import { h, setText, show, uid } from "../../dom.js";
import { mountBoard } from "../board/view.js";
import { act, feedbackLine, groupLabel, groupOf, place, roomOf, sortGroups } from "../../toolkit.js";
import { safeVideoUrl } from "../../console.js";

// Public Jitsi servers recognised without asking: JITSI_HOSTS in sessions/video.py (a test
// compares them). On another server the facilitator ticks the box to get a room per group.
export const JITSI_HOSTS = ["meet.jit.si"];

function isJitsi(url) {
  const safe = safeVideoUrl(url);
  return Boolean(safe) && JITSI_HOSTS.includes(new URL(safe).hostname.toLowerCase());
}

export function mount(element, app) {
  const feedback = feedbackLine();
  const status = h("p", { class: "breakout-status notice" });

  // Facilitator: open, message, call back ------------------------------------------------
  const modeId = uid("mode");
  const sizeId = uid("size");
  const modeOptions = {
    random: h("option", { value: "random" }, app.t("Random groups")),
    choice: h("option", { value: "choice" }, app.t("Everyone chooses a group")),
    location: h("option", { value: "location" }, app.t("Room and remote apart")),
  };
  const mode = h("select", { id: modeId }, Object.values(modeOptions));
  const size = h("input", { id: sizeId, type: "number", min: 2, max: 50, class: "narrow" });
  let sizeTouched = false;
  size.addEventListener("input", () => {
    sizeTouched = true;
  });
  const roomsId = uid("rooms");
  const rooms = h("input", { id: roomsId, type: "checkbox", class: "breakouts-rooms" });
  let roomsTouched = false;
  rooms.addEventListener("change", () => {
    roomsTouched = true;
  });
  const roomsField = h(
    "div",
    { class: "breakouts-rooms-choice" },
    rooms,
    h("label", { for: roomsId }, app.t("Each group gets its own Jitsi video room")),
  );
  const openButton = h("button", { type: "submit", class: "breakouts-open" });
  const openForm = h(
    "form",
    {
      class: "breakouts-form",
      onsubmit: (event) => {
        event.preventDefault();
        const value = Number.parseInt(size.value, 10);
        if (!(value >= 2 && value <= 50)) {
          setText(feedback, app.t("A group has 2 to 50 people."));
          size.focus();
          return;
        }
        const fields = { mode: mode.value, size: value };
        if (!roomsField.hidden) fields.rooms = rooms.checked;
        act(app, feedback, "breakouts.open", fields);
      },
    },
    h(
      "div",
      { class: "field-row" },
      h("div", { class: "field" }, h("label", { for: modeId }, app.t("How are the groups made?")), mode),
      h("div", { class: "field" }, h("label", { for: sizeId }, app.t("People per group")), size),
    ),
    roomsField,
    h("div", { class: "actions" }, openButton),
  );
  const messageDraft = app.draft("breakouts.message");
  const messageId = uid("message");
  const messageText = h("textarea", {
    id: messageId,
    rows: 2,
    maxLength: 1000,
    value: messageDraft.get() || "",
    oninput: () => messageDraft.set(messageText.value),
  });
  const messageForm = h(
    "form",
    {
      class: "breakouts-message",
      onsubmit: async (event) => {
        event.preventDefault();
        const text = messageText.value.trim();
        if (!text) {
          setText(feedback, app.t("Write something first."));
          messageText.focus();
          return;
        }
        if (await act(app, feedback, "breakouts.message", { text }, { draft: "breakouts.message" })) {
          if (messageText.value.trim() === text) {
            messageText.value = "";
            messageDraft.clear();
          } else {
            messageDraft.set(messageText.value); // typed meanwhile: keep it
          }
        }
      },
    },
    h("label", { for: messageId }, app.t("Message to all groups")),
    messageText,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, app.t("Send to all groups"))),
  );
  const closeButton = h(
    "button",
    { type: "button", class: "breakouts-close", onclick: () => act(app, feedback, "breakouts.close") },
    app.t("Call everyone back"),
  );
  const facilitate = h(
    "fieldset",
    { class: "facilitate" },
    h("legend", {}, app.t("For the facilitator")),
    openForm,
    messageForm,
    h("div", { class: "actions" }, closeButton),
  );

  // Messages and groups -------------------------------------------------------------------
  const messagesList = h("ol", { class: "breakout-messages" });
  const messages = h("section", { class: "breakout-messages-section" }, h("h4", {}, app.t("Messages from the facilitator")), messagesList);
  const groupsList = h("ul", { class: "breakout-groups" });
  const groupViews = new Map();
  const groupsSection = h("section", {}, h("h4", {}, app.t("Who is in which group")), groupsList);
  const boardHost = h("div", { class: "breakout-board" });

  const section = h(
    "section",
    { class: "tool tool-breakouts" },
    h("h3", {}, app.t("Breakout groups")),
    status,
    feedback,
    facilitate,
    messages,
    groupsSection,
    boardHost,
  );
  element.append(section);
  const board = mountBoard(boardHost, app, { level: 4 });

  function makeGroup(group) {
    const title = h("h5", { class: "breakout-group-title" });
    const members = h("ul", { class: "breakout-members" });
    const choose = h(
      "button",
      {
        type: "button",
        class: "breakout-choose secondary small",
        onclick: () =>
          act(app, feedback, "breakout.choose", { group }).then(
            (ok) => ok && app.announce(app.t("You are in {group}.", { group: groupLabel(app, group) })),
          ),
      },
      app.t("Join this group"),
    );
    const titleId = uid("group");
    title.id = titleId;
    choose.setAttribute("aria-describedby", titleId);
    // The group's video room: a link for whoever has received it, a field for facilitators.
    const roomLink = h("a", { class: "breakout-room", target: "_blank", rel: "noopener noreferrer", hidden: true });
    const roomId = uid("room");
    const roomInput = h("input", { id: roomId, type: "url", inputMode: "url", maxLength: 500, placeholder: "https://", autocomplete: "off" });
    const roomForm = h(
      "form",
      {
        class: "breakout-room-form",
        onsubmit: (event) => {
          event.preventDefault();
          const value = roomInput.value.trim();
          if (value && !safeVideoUrl(value)) {
            setText(feedback, app.t("The link must start with https:// or http://."));
            roomInput.setAttribute("aria-invalid", "true");
            roomInput.focus();
            return;
          }
          roomInput.removeAttribute("aria-invalid");
          act(app, feedback, "breakouts.video", { group, url: value || null });
        },
      },
      h("label", { for: roomId }, app.t("Video link for this group")),
      h("div", { class: "ws-row" }, roomInput, h("button", { type: "submit", class: "secondary small" }, app.t("Save link"))),
    );
    roomForm.setAttribute("aria-describedby", titleId);
    const li = h("li", { class: "breakout-group", "data-group": group }, title, members, roomLink, choose, roomForm);
    return { li, title, members, choose, roomLink, roomInput, roomForm, roomShown: undefined, key: "" };
  }

  function updateRoom(view, url, mine, facilitator) {
    const safe = safeVideoUrl(url);
    show(view.roomLink, Boolean(safe));
    if (safe) {
      if (view.roomLink.href !== safe) view.roomLink.href = safe;
      // Facilitators read the link itself (to pass it on); a participant their room's name.
      setText(view.roomLink, facilitator ? safe : mine ? app.t("Your group's video room") : app.t("Video room"));
    }
    show(view.roomForm, facilitator);
    if (facilitator && url !== view.roomShown && document.activeElement !== view.roomInput) {
      view.roomShown = url;
      view.roomInput.value = url || "";
    }
  }

  let seenMessages = null;
  let wasOpen = null;
  let myLast = null;

  function update(state) {
    const breakouts = state.breakouts;
    const mine = groupOf(state, app.me);
    const groups = sortGroups(Object.keys(breakouts.groups));
    const isParticipant = app.role() === "participant";

    // Status line.
    let text;
    if (groups.length === 0) text = app.t("There are no breakout groups yet.");
    else if (!breakouts.open) text = app.t("Everyone is back together.");
    else if (mine) text = app.t("You are in {group}.", { group: groupLabel(app, mine) });
    else if (breakouts.mode === "choice" && isParticipant) text = app.t("Choose a group.");
    else text = app.t("The groups are working.");
    setText(status, text);

    // Announce: groups opened or closed, my group, a new message.
    if (wasOpen !== null) {
      if (breakouts.open && (!wasOpen || mine !== myLast) && mine) {
        app.announce(app.t("You are in {group}.", { group: groupLabel(app, mine) }));
      } else if (!breakouts.open && wasOpen) {
        app.announce(app.t("Everyone is back together."));
      }
    }
    if (seenMessages !== null && breakouts.messages.length > seenMessages) {
      for (const message of breakouts.messages.slice(seenMessages)) {
        app.announce(app.t("Message from the facilitator: {text}", { text: message }));
      }
    }
    wasOpen = breakouts.open;
    myLast = mine;
    seenMessages = breakouts.messages.length;

    // Messages, newest first.
    const items = [...messagesList.children];
    if (items.length !== breakouts.messages.length || items.some((li, i) => li.textContent !== breakouts.messages[breakouts.messages.length - 1 - i])) {
      messagesList.replaceChildren(...[...breakouts.messages].reverse().map((message) => h("li", {}, message)));
    }
    show(messages, breakouts.messages.length > 0);

    // Groups and their members.
    for (const group of [...groupViews.keys()]) if (!groups.includes(group)) groupViews.delete(group);
    const els = groups.map((group) => {
      let view = groupViews.get(group);
      if (!view) {
        view = makeGroup(group);
        groupViews.set(group, view);
      }
      const ids = breakouts.groups[group];
      setText(view.title, group === mine ? app.t("{group} (your group)", { group: groupLabel(app, group) }) : groupLabel(app, group));
      view.li.classList.toggle("breakout-mine", group === mine);
      const key = ids.map((id) => `${id}:${app.nameOf(id)}:${state.people[id]?.location}`).join("|");
      if (key !== view.key) {
        view.key = key;
        view.members.replaceChildren(
          ...(ids.length
            ? ids.map((id) => {
                const person = state.people[id];
                const where = person && state.modality === "hybrid" && person.location
                  ? ` (${person.location === "room" ? app.t("in the room") : app.t("remote")})`
                  : "";
                return h("li", {}, app.nameOf(id) + (id === app.me ? ` ${app.t("(you)")}` : "") + where);
              })
            : [h("li", { class: "hint" }, app.t("Nobody yet"))]),
        );
      }
      show(view.choose, breakouts.open && breakouts.mode === "choice" && isParticipant && group !== mine && !state.ended);
      updateRoom(view, breakouts.open ? roomOf(state, group) : null, group === mine, breakouts.open && app.canFacilitate() && !state.ended);
      return view.li;
    });
    place(groupsList, els);
    show(groupsSection, groups.length > 0);

    // Facilitator controls.
    const facilitator = app.canFacilitate() && !state.ended;
    const draftText = messageDraft.get() || "";
    if (document.activeElement !== messageText && messageText.value !== draftText) messageText.value = draftText;
    show(facilitate, facilitator);
    if (facilitator) {
      show(modeOptions.location, state.modality === "hybrid");
      show(roomsField, Boolean(safeVideoUrl(state.video_url)));
      if (!roomsTouched) rooms.checked = isJitsi(state.video_url);
      if (!sizeTouched && document.activeElement !== size) size.value = String(state.breakout_size);
      setText(openButton, breakouts.open ? app.t("Make new groups") : app.t("Open breakout groups"));
      show(messageForm, breakouts.open);
      closeButton.disabled = !breakouts.open;
    }

    // The group's board while groups are open (the plenary board and the group boards for
    // whoever is not in a group).
    show(boardHost, breakouts.open);
    if (breakouts.open) board.update(state);
  }

  return { update };
}
