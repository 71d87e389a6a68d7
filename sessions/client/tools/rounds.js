// The speaking round: an order of participants, whose turn it is, who passed.

import { N_ } from "../i18n.js";

function roundStarted(state, event, body) {
  state.round = {
    order: [...body.order],
    current: body.order.length > 0 ? 0 : null,
    passed: [],
  };
}

function roundAdvanced(state, event, body) {
  const round = state.round;
  if (body.passed && round.current !== null && round.current < round.order.length) {
    round.passed.push(round.order[round.current]);
  }
  round.current = body.current; // null: the round is over
}

function roundEnded(state, event, body) {
  state.round.current = null;
}

export default {
  name: "rounds",
  agenda: { key: "round", label: N_("Round") },
  view: () => import("./rounds/view.js"),
  initial: () => ({ round: { order: [], current: null, passed: [] } }),
  fold: {
    "round.started": roundStarted,
    "round.advanced": roundAdvanced,
    "round.ended": roundEnded,
  },
};
