// Terugblik: the actions open from the group's earlier sessions; owners mark theirs done or
// carry them over (the Python slice is sessions/tools/review.py, whose fold this mirrors).

import { N_ } from "../i18n.js";

function reviewOpened(state, event, body) {
  state.review.actions = body.actions.map((item) => ({
    id: item.id,
    text: item.text,
    owner: item.owner ?? null,
    owner_name: item.owner_name ?? null,
    due: item.due ?? null,
    status: "open",
  }));
}

function memberLinked(state, event, body) {
  state.review.links[body.participant] = body.member;
}

function find(state, id) {
  return state.review.actions.find((action) => action.id === id);
}

function actionDone(state, event, body) {
  const action = find(state, body.action);
  if (action) action.status = "done";
}

function actionCarried(state, event, body) {
  const action = find(state, body.action);
  if (!action) return;
  action.status = "carried";
  if (body.due !== null && body.due !== undefined) action.due = body.due;
}

export default {
  name: "review",
  // Its panel holds the speaking round too: in intervisie, last time's inbrengers report in turn.
  agenda: { key: "review", label: N_("Look back"), shows: ["review", "rounds"] },
  view: () => import("./review/view.js"),
  initial: () => ({ review: { actions: [], links: {} } }),
  fold: {
    "review.opened": reviewOpened,
    "member.linked": memberLinked,
    "action.done": actionDone,
    "action.carried": actionCarried,
  },
};
