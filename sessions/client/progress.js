// "Who is done": one line in the cockpit about how far the group is with the current phase's
// tool, from what the facilitator's state knows (votes given while they are visible, the turns
// of a round, notes on the board) and, in the harvest, how many have answered it. Harvest
// answers are stored by the harvest page, not in the event log, so the cockpit asks the server
// (`GET /s/{id}/oogst/voortgang`, facilitators only) every few seconds during that phase.

import { h, setText, show } from "./dom.js";

const HARVEST_POLL_MS = 3000;
/** Dispatched on `document` with the count ({answered, expected}) each time it arrives. */
export const HARVEST_COUNT_EVENT = "werkplaats:harvest-count";

/** The people expected to take part (not removed, role participant). */
function participants(state) {
  return Object.values(state.people || {}).filter((person) => !person.removed && person.role === "participant").length;
}

export function createProgress(app) {
  const element = h("p", { class: "ws-progress", hidden: true });
  let harvest = null; // {answered, expected} from the server
  let timer = null;

  function sessionId() {
    const root = document.getElementById("workspace");
    return (root && root.dataset.session) || app.session;
  }

  async function askHarvest() {
    try {
      const response = await fetch(`/s/${encodeURIComponent(sessionId())}/oogst/voortgang`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      // No longer a facilitator (the console is then no longer updated): stop asking; the next
      // update as a facilitator starts again.
      if (response.status === 403) pollHarvest(false);
      if (response.ok && timer !== null) {
        harvest = await response.json();
        render(app.state);
        document.dispatchEvent(new CustomEvent(HARVEST_COUNT_EVENT, { detail: harvest }));
      }
    } catch {
      // Offline for a moment: the next poll tries again.
    }
  }

  function pollHarvest(on) {
    if (on && timer === null) {
      askHarvest();
      timer = setInterval(() => {
        if (!document.hidden) askHarvest();
      }, HARVEST_POLL_MS);
    } else if (!on && timer !== null) {
      clearInterval(timer);
      timer = null;
      harvest = null;
    }
  }

  function line(state, tool) {
    const people = participants(state);
    if (tool === "harvest") {
      if (harvest === null) return "";
      return app.t("Harvest filled in: {answered} of {expected}", harvest);
    }
    if (state.ended) return "";
    if (tool === "vote" && state.voting.open) {
      if (state.voting.hidden && !state.voting.revealed) return app.t("The votes stay hidden until you reveal them.");
      const given = Object.values(state.voting.tally).reduce((sum, count) => sum + count, 0);
      return app.t("Votes given: {given} of {total}", { given, total: state.voting.budget * people });
    }
    if (tool === "round" && state.round.order.length) {
      const round = state.round;
      if (round.current === null) return app.t("The round is over.");
      return app.t("Turn {number} of {total}", { number: round.current + 1, total: round.order.length });
    }
    if (tool === "board") {
      const count = Object.keys(state.notes).length;
      return app.t("Notes on the board: {count}", { count });
    }
    return "";
  }

  function render(state) {
    const tool = state.phase === null ? null : state.phases[state.phase]?.tool;
    const text = tool ? line(state, tool) : "";
    setText(element, text);
    show(element, Boolean(text));
  }

  function update(state) {
    const tool = state.phase === null ? null : state.phases[state.phase]?.tool;
    pollHarvest(tool === "harvest" && app.canFacilitate());
    render(state);
  }

  return { element, update };
}
