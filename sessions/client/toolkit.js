// Pieces the workspace tools share: feedback on refused commands, breakout groups as the
// server judges them, keeping keyed elements in order without rebuilding them, SVG elements.

import { h, setText } from "./dom.js";
import { N_ } from "./i18n.js";

// Refusal codes (docs/protocol.md §8) a person can act on, as English msgids.
const REFUSALS = {
  board_locked: N_("The board is read-only now."),
  too_many: N_("The board is full."),
  too_many_yours: N_("You have as many notes on the board as one person may have. Delete one of yours first."),
  unknown_note: N_("That note is no longer there."),
  not_your_note: N_("You can only change your own notes."),
  unknown_cluster: N_("That cluster is no longer there."),
  unknown_target: N_("That note or cluster is no longer there."),
  over_budget: N_("You have used all your votes."),
  no_vote: N_("You have no vote there to take back."),
  voting_closed: N_("Voting is closed."),
  no_voting: N_("No vote has been opened yet."),
  nothing_to_reveal: N_("There are no private notes to show."),
  no_round: N_("There is no speaking round now."),
  not_your_turn: N_("It is not your turn."),
  unknown_participant: N_("Someone in that order has left the session."),
  no_participants: N_("There are no participants to split into groups."),
  no_breakouts: N_("No breakout groups are open."),
  no_choice: N_("You cannot choose a group now."),
  unknown_group: N_("That group is no longer there."),
  no_video: N_("Set the session's video link first."),
  unknown_action: N_("That action is not in this look back."),
  not_your_action: N_("Only its owner or a facilitator can change this action."),
  already_done: N_("This action is already done."),
  forbidden: N_("You may not do that."),
  session_ended: N_("The session has ended."),
  invalid: N_("That is not possible."),
  too_large: N_("That is too long to send at once. Make the text shorter."),
};

/** A translated sentence for a refused command. */
export function refusal(app, error) {
  const code = error && error.code;
  return app.t(REFUSALS[code] || "That did not work. Please try again.");
}

/** A `role="alert"` paragraph where a tool says why a command was refused. */
export function feedbackLine() {
  return h("p", { class: "tool-feedback", role: "alert" });
}

/**
 * Send a command; on refusal say why in `feedback`. Resolves to true after the ack, false after
 * a refusal (so callers clear a draft only once the server has the text). `options.draft` names
 * the draft the connection clears on the ack, also when the page was reloaded meanwhile.
 */
export function act(app, feedback, type, fields = {}, options = undefined) {
  if (feedback) setText(feedback, "");
  return app.send(type, fields, options).then(
    () => true,
    (error) => {
      if (feedback) setText(feedback, refusal(app, error));
      return false;
    },
  );
}

/** My breakout group as the server decides it (only while groups are open), else null. */
export function groupOf(state, me) {
  const breakouts = state.breakouts;
  if (!breakouts || !breakouts.open) return null;
  for (const [group, members] of Object.entries(breakouts.groups)) {
    if (members.includes(me)) return group;
  }
  return null;
}

/** A group's video room as far as this reader knows it (null: the session's link), as room_of
 * in sessions/tools/breakouts.py: the last `breakout.room` received for the group. */
export function roomOf(state, group) {
  const rooms = state.breakouts?.rooms || [];
  for (let i = rooms.length - 1; i >= 0; i -= 1) {
    if (rooms[i].group === group) return rooms[i].url;
  }
  return null;
}

/** Group ids in reading order: groep-1, groep-2, … groep-10. */
export function sortGroups(groups) {
  const number = (group) => Number.parseInt(String(group).replace(/\D+/g, ""), 10) || 0;
  return [...groups].sort((a, b) => number(a) - number(b) || String(a).localeCompare(String(b)));
}

/** "Groep 2" for `groep-2`. */
export function groupLabel(app, group) {
  const match = /(\d+)$/.exec(String(group));
  return match ? app.t("Group {n}", { n: match[1] }) : String(group);
}

/** True when I may change the board now (facilitators also while it is locked). */
export function mayWriteBoard(app, state) {
  if (state.ended) return false;
  const role = app.role();
  if (role === "observer") return false;
  return !state.board_locked || app.canFacilitate();
}

/** May I take part (notes, votes, markers)? Observers only watch. */
export function mayTakePart(app, state) {
  return !state.ended && app.role() !== "observer";
}

/**
 * Put exactly `els` into `parent`, in this order, moving as few as possible (a moved element
 * loses focus, so elements already in place are left alone).
 */
export function place(parent, els) {
  const wanted = new Set(els);
  for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
  let ref = parent.firstElementChild;
  for (const el of els) {
    if (el === ref) {
      ref = ref.nextElementSibling;
      continue;
    }
    parent.insertBefore(el, ref);
  }
}

export const clamp = (value, low = 0, high = 1) => Math.min(high, Math.max(low, value));

/** A number rounded to three decimals (coordinates on the wire). */
export const round3 = (value) => Math.round(value * 1000) / 1000;

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element; every attribute is set with setAttribute. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Call `fn` at most once per `ms`, always with the latest arguments (trailing call kept). */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  let pending = null;
  return (...args) => {
    pending = args;
    const wait = last + ms - Date.now();
    if (wait <= 0) {
      last = Date.now();
      fn(...pending);
      pending = null;
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        if (pending) fn(...pending);
        pending = null;
      }, wait);
    }
  };
}

/** A short label for a note or cluster (results, accessible names). */
export function shorten(text, length = 60) {
  const value = String(text || "");
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

/** obj[key] only when it is the object's own (ids such as "constructor" are not inherited). */
export function own(obj, key) {
  return obj && key !== null && key !== undefined && Object.prototype.hasOwnProperty.call(obj, key)
    ? obj[key]
    : undefined;
}

/** Reading order on a board: top to bottom, then left to right, then by id (the same everywhere). */
export function byPlace([idA, a], [idB, b]) {
  return a.y - b.y || a.x - b.x || (idA < idB ? -1 : idA > idB ? 1 : 0);
}

/** Clusters by title, then id. */
export function byTitle([idA, a], [idB, b]) {
  return a.title.localeCompare(b.title) || (idA < idB ? -1 : idA > idB ? 1 : 0);
}
