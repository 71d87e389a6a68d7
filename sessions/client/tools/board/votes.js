// Votes as the board shows them: dots on a card, and a theme's count that agrees with its notes.
//
// People vote on notes and, less often, on a theme itself (the voting slice takes both as a
// target). A theme with a note of 2 votes that said "Votes: 0" read as a mistake, so a theme
// counts the votes on its notes plus those on the theme itself, and says which part was the
// theme's own. The counting rules (my ballot, a hidden tally) are the voting module's.

import { h, setText, show } from "../../dom.js";
import { own } from "../../toolkit.js";
import { hasVote, myBallot, tallyIsPublic } from "../voting/view.js";

const MOST_DOTS = 12; // more votes than this show as a number after the dots

/** The votes on `target` that this reader may know: everyone's, or only mine while hidden. */
function votesOn(state, me, target) {
  const counts = tallyIsPublic(state.voting) ? state.voting.tally : myBallot(state, me);
  return own(counts, target) || 0;
}

/** A row of dots, one per vote on the note (decoration: the card's text tally says the number). */
export function voteDots(app, target) {
  const el = h("span", { class: "vote-dots", "aria-hidden": "true" });
  let shown = -1;
  return {
    el,
    update(state) {
      const count = hasVote(state.voting) ? votesOn(state, app.me, target) : 0;
      show(el, count > 0);
      if (count === shown) return;
      shown = count;
      const dots = [];
      for (let i = 0; i < Math.min(count, MOST_DOTS); i += 1) dots.push(h("span", { class: "vote-dot" }));
      if (count > MOST_DOTS) dots.push(h("span", { class: "vote-more" }, `+${count - MOST_DOTS}`));
      el.replaceChildren(...dots);
    },
  };
}

/** A theme's count: the votes on its notes and on the theme itself, in one number. */
export function themeVotes(app) {
  const el = h("span", { class: "theme-votes" });
  return {
    el,
    update(state, theme, noteIds) {
      show(el, hasVote(state.voting));
      if (!hasVote(state.voting)) return;
      const itself = votesOn(state, app.me, theme);
      const total = noteIds.reduce((sum, id) => sum + votesOn(state, app.me, id), itself);
      let text = tallyIsPublic(state.voting) ? app.t("Votes: {n}", { n: total }) : app.t("Your votes: {n}", { n: total });
      if (itself > 0) text += ` ${app.t("({n} on the theme itself)", { n: itself })}`;
      setText(el, text);
    },
  };
}
