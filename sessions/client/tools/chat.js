// The chat: always in the side column (the shell's chat.js), in the main area when a phase uses
// it; a breakout group's messages are for the group and whoever facilitates. A deleted message
// keeps its place without its text.

import { N_ } from "../i18n.js";
import { get } from "../fold.js";

/** Who may read a chat message posted now (as sessions/state.py chat_readers): a breakout
 * group's message is for the group, whoever facilitates and its author; null for everyone. */
function chatReaders(state, author, group) {
  if (group === null || group === undefined) return null;
  const readers = new Set(get(state.breakouts.groups, group) || []);
  for (const [id, person] of Object.entries(state.people)) {
    if ((person.role === "facilitator" || person.role === "co-facilitator") && !person.removed) {
      readers.add(id);
    }
  }
  if (author) readers.add(author);
  return [...readers].sort();
}

function chatPosted(state, event, body) {
  // A log from before events named their readers: the same rule, on the state it was posted in.
  const to = Array.isArray(body.to) ? [...body.to] : chatReaders(state, event.actor, body.group);
  state.chat.push({
    author: event.actor,
    text: body.text,
    at: event.at,
    group: body.group,
    to: to && to.length ? to : null,
    message: body.message,
    deleted: false,
  });
}

function chatDeleted(state, event, body) {
  for (const message of state.chat) {
    if (message.message === body.message) {
      message.text = "";
      message.deleted = true;
    }
  }
}

export default {
  name: "chat",
  // A chat phase shows no tool view: the shell moves its chat panel into the phase's panel.
  agenda: { key: "chat", label: N_("Chat"), shows: [] },
  initial: () => ({ chat: [] }),
  fold: {
    "chat.posted": chatPosted,
    "chat.deleted": chatDeleted,
  },
};
