// The waiting room, before the first phase: what will happen (the agenda's phases with their
// minutes) and who is there already, so that nobody looks at an empty page.

import { h, replace, setText } from "./dom.js";
import { activePeople, ROLE_LABELS } from "./people.js";

export function createWaitingRoom(app) {
  const intro = h("p", { class: "ws-waiting" }, app.t("The session has not started yet. The facilitator starts the first phase."));
  const agenda = h("ol", { class: "ws-waiting-agenda", "aria-labelledby": "ws-waiting-agenda-heading" });
  const total = h("p", { class: "ws-waiting-total" });
  const people = h("ul", { class: "ws-waiting-people", "aria-labelledby": "ws-waiting-people-heading" });
  const element = h(
    "div",
    { class: "ws-waiting-room" },
    intro,
    h(
      "div",
      { class: "ws-waiting-parts" },
      h("div", {}, h("h3", { id: "ws-waiting-agenda-heading" }, app.t("What we will do")), agenda, total),
      h("div", {}, h("h3", { id: "ws-waiting-people-heading" }, app.t("Who is here already")), people),
    ),
  );
  let signature = "";

  function update(state) {
    // Who is connected, once the server has said; until then everyone who joined.
    const online = app.online;
    const present = activePeople(state).filter(([id]) => !online || online.has(id) || id === app.me);
    const next = JSON.stringify([state.phases.map((phase) => [phase.name, phase.minutes]), present]);
    if (next === signature) return;
    signature = next;
    replace(
      agenda,
      state.phases.map((phase) =>
        h(
          "li",
          {},
          h("span", { class: "ws-waiting-phase" }, phase.name),
          " ",
          h("span", { class: "ws-waiting-minutes" }, app.t("{minutes} min.", { minutes: phase.minutes })),
        ),
      ),
    );
    const minutes = state.phases.reduce((sum, phase) => sum + (phase.minutes || 0), 0);
    setText(total, app.t("{minutes} min. in total", { minutes }));
    replace(
      people,
      present.map(([id, person]) =>
        h(
          "li",
          {},
          person.name,
          id === app.me ? ` (${app.t("you")})` : "",
          person.role === "participant" ? "" : ` · ${app.t(ROLE_LABELS[person.role] || person.role)}`,
        ),
      ),
    );
  }

  return { element, update };
}
