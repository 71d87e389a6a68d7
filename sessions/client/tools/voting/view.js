// Dot voting: the one place that knows how votes count (my ballot, what is left of my budget,
// which tally the state lets me show), its controls, and the vote phase's view with results.

import { h, setText, show, uid } from "../../dom.js";
import { mountBoard } from "../board/view.js";
import { act, feedbackLine, mayTakePart, own, shorten } from "../../toolkit.js";

/** My own votes `{target: n}` (the state holds only mine). */
export function myBallot(state, me) {
  return own(state.voting.ballots, me) || {};
}

export function votesUsed(state, me) {
  return Object.values(myBallot(state, me)).reduce((sum, n) => sum + n, 0);
}

export function votesLeft(state, me) {
  return Math.max(0, state.voting.budget - votesUsed(state, me));
}

/** Is the tally everyone's? While a hidden vote is not revealed, the state holds only mine. */
export function tallyIsPublic(voting) {
  return !voting.hidden || voting.revealed;
}

/** Has a vote ever been opened (so there is something to show)? */
export function hasVote(voting) {
  return voting.budget > 0;
}

/** What a target is called in results: a note's text, or the cluster's title. */
export function targetLabel(app, state, target) {
  const note = own(state.notes, target);
  if (note && !note.private) return shorten(note.text, 80);
  const cluster = own(state.clusters, target);
  if (cluster) return app.t("Cluster: {title}", { title: cluster.title });
  return null;
}

/** The tally as rows `{target, label, count}`, most votes first. */
export function results(app, state) {
  const rows = [];
  for (const [target, count] of Object.entries(state.voting.tally)) {
    const label = targetLabel(app, state, target);
    if (count > 0 && label !== null) rows.push({ target, label, count });
  }
  return rows.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * The tally of one note or cluster and, while voting is open, buttons to cast and take back a
 * vote. `describedBy` is the id of the element naming the target.
 */
export function voteControl(app, target, feedback, describedBy) {
  const tally = h("span", { class: "vote-tally" });
  const add = h(
    "button",
    {
      type: "button",
      class: "vote-add small",
      "aria-describedby": describedBy,
      onclick: () => act(app, feedback, "vote.cast", { target }),
    },
    app.t("Vote"),
  );
  const remove = h(
    "button",
    {
      type: "button",
      class: "vote-remove secondary small",
      "aria-describedby": describedBy,
      onclick: () => act(app, feedback, "vote.retract", { target }),
    },
    app.t("Take vote back"),
  );
  const el = h("div", { class: "vote-control" }, tally, add, remove);
  return {
    el,
    update(state) {
      const voting = state.voting;
      show(el, hasVote(voting));
      if (!hasVote(voting)) return;
      const mine = own(myBallot(state, app.me), target) || 0;
      let text;
      if (tallyIsPublic(voting)) {
        text = app.t("Votes: {n}", { n: own(voting.tally, target) || 0 });
        if (mine > 0) text += ` ${app.t("(yours: {n})", { n: mine })}`;
      } else {
        text = app.t("Your votes: {n}", { n: mine });
      }
      setText(tally, text);
      const open = voting.open && mayTakePart(app, state);
      show(add, open);
      add.disabled = votesLeft(state, app.me) <= 0;
      show(remove, open && mine > 0);
    },
  };
}

/** One sentence: is voting open, how many votes I have left, is the tally hidden. */
export function votingStatus(app) {
  const el = h("p", { class: "voting-status notice" });
  return {
    el,
    update(state) {
      const voting = state.voting;
      show(el, hasVote(voting));
      if (!hasVote(voting)) return;
      const parts = [];
      // After the end nobody can vote any more, whether or not the vote was closed.
      if (voting.open && !state.ended) {
        parts.push(app.t("Voting is open."));
        if (mayTakePart(app, state)) {
          parts.push(
            app.t("You have {left} of {budget} votes left.", {
              left: votesLeft(state, app.me),
              budget: voting.budget,
            }),
          );
        }
      } else {
        parts.push(app.t("Voting is closed."));
      }
      if (!tallyIsPublic(voting)) parts.push(app.t("The votes stay hidden until they are shown."));
      else if (voting.revealed) parts.push(app.t("The votes are shown."));
      setText(el, parts.join(" "));
    },
  };
}

/** The facilitator's voting controls: open (budget, hidden), close, reveal. */
export function votingAdmin(app, feedback) {
  const budgetId = uid("budget");
  const budget = h("input", { type: "number", id: budgetId, min: 1, max: 20, value: 3, class: "narrow" });
  const hidden = h("input", { type: "checkbox" });
  const open = h("button", { type: "button", class: "voting-open", onclick: () => openVote() });
  const close = h(
    "button",
    { type: "button", class: "voting-close secondary", onclick: () => act(app, feedback, "voting.close") },
    app.t("Close voting"),
  );
  const reveal = h(
    "button",
    { type: "button", class: "votes-reveal secondary", onclick: () => act(app, feedback, "votes.reveal") },
    app.t("Show the votes"),
  );
  const openVote = () => {
    const value = Number.parseInt(budget.value, 10);
    if (!(value >= 1 && value <= 20)) {
      setText(feedback, app.t("Give each person 1 to 20 votes."));
      budget.focus();
      return;
    }
    act(app, feedback, "voting.open", { budget: value, hidden: hidden.checked });
  };
  const el = h(
    "div",
    { class: "voting-admin" },
    h(
      "div",
      { class: "field-row" },
      h("label", { for: budgetId }, app.t("Votes per person")),
      budget,
      h("label", { class: "check" }, hidden, " ", app.t("Keep the votes hidden until I show them")),
    ),
    h("div", { class: "actions" }, open, close, reveal),
  );
  return {
    el,
    update(state) {
      const voting = state.voting;
      show(el, app.canFacilitate() && !state.ended);
      setText(open, voting.open ? app.t("Start a new vote") : app.t("Open voting"));
      close.disabled = !voting.open;
      reveal.disabled = !hasVote(voting) || voting.revealed;
    },
  };
}

/** The results as a list of bars, with the count as text (the bar itself is decoration). */
export function resultsList(app, level = 3) {
  const heading = h(`h${level}`, {}, app.t("Results"));
  const wait = h("p", { class: "hint" }, app.t("The results are shown when the facilitator shows the votes."));
  const empty = h("p", { class: "hint" }, app.t("No votes yet."));
  const list = h("ol", { class: "results" });
  const rows = new Map();
  const el = h("section", { class: "vote-results" }, heading, wait, empty, list);
  const row = (target) => {
    const label = h("span", { class: "result-label" });
    const fill = h("span", { class: "result-fill" });
    const count = h("span", { class: "result-count" });
    const li = h("li", { "data-target": target }, label, h("span", { class: "result-bar", "aria-hidden": "true" }, fill), count);
    return { li, label, fill, count };
  };
  return {
    el,
    update(state) {
      const voting = state.voting;
      show(el, hasVote(voting));
      const visible = tallyIsPublic(voting);
      show(wait, !visible);
      const shown = visible ? results(app, state) : [];
      show(empty, visible && shown.length === 0);
      const max = Math.max(1, ...shown.map((r) => r.count));
      const seen = new Set();
      for (const result of shown) {
        seen.add(result.target);
        let item = rows.get(result.target);
        if (!item) {
          item = row(result.target);
          rows.set(result.target, item);
        }
        setText(item.label, result.label);
        setText(item.count, app.t("Votes: {n}", { n: result.count }));
        item.fill.style.width = `${Math.round((result.count / max) * 100)}%`;
      }
      for (const [target, item] of rows) {
        if (!seen.has(target)) {
          item.li.remove();
          rows.delete(target);
        }
      }
      shown.forEach((result, index) => {
        const li = rows.get(result.target).li;
        if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
      });
    },
  };
}

/** The vote phase: what is voted on, my votes left, the results, and the board to vote on. */
export function mount(element, app) {
  const feedback = feedbackLine();
  const status = votingStatus(app);
  const admin = votingAdmin(app, feedback);
  const resultsView = resultsList(app, 4);
  const boardHost = h("div", { class: "vote-board" });
  const howTo = h(
    "p",
    { class: "hint vote-how" },
    app.t("Vote for the notes and clusters you find most important. You may give one of them more than one vote."),
  );
  const section = h(
    "section",
    { class: "tool tool-vote" },
    h("h3", {}, app.t("Vote")),
    howTo,
    status.el,
    admin.el,
    feedback,
    resultsView.el,
    boardHost,
  );
  element.append(section);
  const board = mountBoard(boardHost, app, { level: 4, votingPanel: false });
  return {
    update(state) {
      show(howTo, !state.ended); // after the end nobody votes: the results are what is left
      status.update(state);
      admin.update(state);
      resultsView.update(state);
      board.update(state);
    },
  };
}
