// Reactions: one of five, sent to the running phase, counted live and anonymously (the Python
// slice is sessions/tools/reactions.py). An always-on widget of the side column; a facilitator
// decides whether the outcome keeps them.

import { h, setText } from "../dom.js";
import { addCount, get } from "../fold.js";
import { N_ } from "../i18n.js";

/** The five reactions, in the order of their buttons. */
const KINDS = [
  { kind: "agree", symbol: "👍", label: N_("Agree") },
  { kind: "applause", symbol: "👏", label: N_("Applause") },
  { kind: "idea", symbol: "💡", label: N_("Idea") },
  { kind: "question", symbol: "❓", label: N_("Question") },
  { kind: "heart", symbol: "❤️", label: N_("Heart") },
];

function reactionSent(state, event, body) {
  const key = String(body.phase);
  const counts = get(state.reactions.counts, key) ?? {};
  addCount(counts, body.kind, 1);
  state.reactions.counts[key] = counts;
}

function reactionsKept(state, event, body) {
  state.reactions.kept = body.keep;
}

export default {
  name: "reactions",
  widget: () => import("./reactions.js"),
  initial: () => ({ reactions: { counts: {}, kept: false } }),
  fold: {
    "reaction.sent": reactionSent,
    "reactions.kept": reactionsKept,
  },
};

/** Five buttons with the running phase's counts; for facilitators, whether the outcome keeps them. */
export function mount(slot, app) {
  const buttons = KINDS.map(({ kind, symbol, label }) => {
    const count = h("span", { class: "ws-reaction-count" }, "0");
    const button = h(
      "button",
      { type: "button", class: "ws-reaction secondary", "data-kind": kind },
      h("span", { "aria-hidden": "true" }, symbol),
      count,
    );
    button.addEventListener("click", () => {
      app.send("reaction.send", { kind }).catch(() => setText(status, app.t("That did not work. Try again.")));
    });
    return { kind, label, button, count };
  });
  const keep = h("input", { type: "checkbox", id: "ws-reactions-keep" });
  const keepRow = h(
    "p",
    { class: "ws-reactions-keep" },
    keep,
    h("label", { for: "ws-reactions-keep" }, app.t("Keep the reactions in the outcome")),
  );
  keep.addEventListener("change", () => {
    app.send("reactions.keep", { keep: keep.checked }).catch(() => setText(status, app.t("That did not work. Try again.")));
  });
  const status = h("p", { class: "ws-reactions-status", role: "status" });
  const element = h(
    "section",
    { class: "ws-panel ws-reactions-panel", "aria-labelledby": "ws-reactions-heading" },
    h("h2", { id: "ws-reactions-heading" }, app.t("Reactions")),
    h("div", { class: "ws-reactions" }, ...buttons.map(({ button }) => button)),
    status,
    keepRow,
  );

  function update(state) {
    const key = String(state.phase);
    const counts = (state.phase !== null && get(state.reactions.counts, key)) || {};
    const closed = state.phase === null || state.ended || state.people[app.me]?.removed === true || app.role() === "observer";
    for (const { kind, label, button, count } of buttons) {
      const n = get(counts, kind) ?? 0;
      setText(count, String(n));
      button.setAttribute("aria-label", app.t("{reaction}: {count}", { reaction: app.t(label), count: n }));
      button.disabled = closed;
    }
    keepRow.hidden = !app.canFacilitate();
    keep.checked = state.reactions.kept;
  }

  slot.append(element);
  return { element, update };
}
