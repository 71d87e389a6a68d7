// Raised hands: no agenda phase, an always-on widget in the side column.

import { removeFirst } from "../fold.js";

function handRaised(state, event, body) {
  if (event.actor !== null && !state.hands.includes(event.actor)) {
    state.hands.push(event.actor);
  }
}

function handLowered(state, event, body) {
  removeFirst(state.hands, body.participant);
}

export default {
  name: "hands",
  widget: () => import("./hands/view.js"),
  initial: () => ({ hands: [] }), // participants, first raised first
  fold: {
    "hand.raised": handRaised,
    "hand.lowered": handLowered,
  },
};
