// Raised hands: no agenda phase, an always-on widget in the side column. Its fold and its view
// are this one module (the widget loads it again, lazily: the same module).

import { h, replace, setText, show } from "../dom.js";
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
  widget: () => import("./hands.js"),
  initial: () => ({ hands: [] }), // participants, first raised first
  fold: {
    "hand.raised": handRaised,
    "hand.lowered": handLowered,
  },
};

/** The raised hands panel, in the side column: raise or lower mine (not for facilitators, who
 * give the turn); facilitators lower others'. */
export function mount(slot, app) {
  const button = h("button", { type: "button", class: "ws-hand-button", "aria-pressed": "false" });
  const status = h("p", { class: "ws-hand-error", role: "status" });
  const list = h("ol", { class: "ws-hands" });
  const empty = h("p", { class: "hint" }, app.t("No hands raised."));
  const element = h(
    "section",
    { class: "ws-panel ws-hands-panel", "aria-labelledby": "ws-hands-heading" },
    h("h2", { id: "ws-hands-heading" }, app.t("Raised hands")),
    button,
    status,
    list,
    empty,
  );
  let busy = false;
  let signature = "";

  button.addEventListener("click", () => {
    if (busy) return;
    const raised = app.state.hands.includes(app.me);
    busy = true;
    button.disabled = true;
    setText(status, "");
    const done = () => {
      busy = false;
      update(app.state);
    };
    app
      .send(raised ? "hand.lower" : "hand.raise", raised ? { participant: null } : {})
      .then(done, (error) => {
        // Already in the state we wanted: nothing to tell.
        if (error.code !== "already_raised" && error.code !== "not_raised") setText(status, app.t("That did not work. Try again."));
        done();
      });
  });

  function lower(id) {
    app.send("hand.lower", { participant: id }).catch(() => {});
  }

  function update(state) {
    const raised = state.hands.includes(app.me);
    // Facilitators give the turn; they do not ask for it (they see and lower the hands).
    show(button, !app.canFacilitate() || raised);
    setText(button, raised ? app.t("Lower my hand") : app.t("Raise my hand"));
    button.setAttribute("aria-pressed", String(raised));
    button.disabled = busy || state.ended || state.people[app.me]?.removed === true;
    const canLower = app.canFacilitate();
    const next = JSON.stringify([state.hands, canLower, state.hands.map((id) => app.nameOf(id))]);
    if (next === signature) return;
    signature = next;
    show(empty, state.hands.length === 0);
    replace(
      list,
      state.hands.map((id) =>
        h(
          "li",
          {},
          h("span", {}, app.nameOf(id), id === app.me ? ` (${app.t("you")})` : ""),
          canLower && id !== app.me
            ? h(
                "button",
                {
                  type: "button",
                  class: "secondary small",
                  "aria-label": app.t("Lower hand of {name}", { name: app.nameOf(id) }),
                  onclick: () => lower(id),
                },
                app.t("Lower"),
              )
            : null,
        ),
      ),
    );
  }

  slot.append(element);
  return { element, update };
}
