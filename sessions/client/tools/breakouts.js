// Breakout groups: made at random or chosen, a message to all groups, each group's video room
// (only the rooms this reader may see arrive), closed (groups kept, rooms dropped).

import { N_ } from "../i18n.js";
import { has, removeFirst } from "../fold.js";

function breakoutsOpened(state, event, body) {
  const groups = {};
  for (const [id, members] of Object.entries(body.groups)) {
    groups[id] = [...members];
  }
  state.breakouts = { open: true, mode: body.mode, groups, messages: [], rooms: [] };
}

function breakoutChosen(state, event, body) {
  if (event.actor === null) return;
  const groups = state.breakouts.groups;
  for (const members of Object.values(groups)) {
    removeFirst(members, event.actor);
  }
  // A group this reader did not know yet is made (as Python's setdefault does).
  if (!has(groups, body.group)) groups[body.group] = [];
  groups[body.group].push(event.actor);
}

function breakoutsMessaged(state, event, body) {
  state.breakouts.messages.push(body.text);
}

function breakoutsClosed(state, event, body) {
  state.breakouts.open = false; // the groups are kept, their rooms are not: all go plenary
  state.breakouts.rooms = [];
}

function breakoutRoom(state, event, body) {
  state.breakouts.rooms.push({ group: body.group, url: body.url, to: [...body.to] });
}

export default {
  name: "breakouts",
  agenda: { key: "breakout", label: N_("Breakout groups") },
  view: () => import("./breakouts/view.js"),
  initial: () => ({ breakouts: { open: false, mode: "random", groups: {}, messages: [], rooms: [] } }),
  fold: {
    "breakouts.opened": breakoutsOpened,
    "breakout.chosen": breakoutChosen,
    "breakouts.messaged": breakoutsMessaged,
    "breakouts.closed": breakoutsClosed,
    "breakout.room": breakoutRoom,
  },
};
