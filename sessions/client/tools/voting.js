// Voting on notes and clusters: a budget of votes each, hidden or shown, then revealed.

import { N_ } from "../i18n.js";
import { addCount, has } from "../fold.js";

function emptyVoting() {
  return { open: false, budget: 0, hidden: false, revealed: false, ballots: {}, tally: {} };
}

/** Drop every vote on a target (a deleted note), from the tally and from the ballots. */
export function dropTarget(voting, target) {
  delete voting.tally[target];
  for (const [voter, ballot] of Object.entries(voting.ballots)) {
    delete ballot[target];
    if (Object.keys(ballot).length === 0) delete voting.ballots[voter];
  }
}

function votingOpened(state, event, body) {
  // A new vote clears every earlier vote, also when one is still open.
  state.voting = { ...emptyVoting(), open: true, budget: body.budget, hidden: body.hidden };
}

function voteCast(state, event, body) {
  const voting = state.voting;
  // Votes reach others without an actor: only this reader's own votes fill `ballots`.
  if (event.actor !== null) {
    if (!has(voting.ballots, event.actor)) voting.ballots[event.actor] = {};
    const ballot = voting.ballots[event.actor];
    addCount(ballot, body.target, body.count);
    if (Object.keys(ballot).length === 0) delete voting.ballots[event.actor];
  }
  addCount(voting.tally, body.target, body.count);
}

function votingClosed(state, event, body) {
  state.voting.open = false;
}

function votesRevealed(state, event, body) {
  state.voting.revealed = true;
  state.voting.tally = { ...body.tally };
}

export default {
  name: "voting",
  agenda: { key: "vote", label: N_("Voting") },
  view: () => import("./voting/view.js"),
  initial: () => ({ voting: emptyVoting() }),
  fold: {
    "voting.opened": votingOpened,
    "vote.cast": voteCast,
    "voting.closed": votingClosed,
    "votes.revealed": votesRevealed,
  },
};
