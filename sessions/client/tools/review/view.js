// The terugblik's panel: each open action with its owner, date and status; "Done" and "Carry
// over to next time" (with an optional new date) for whoever may change it: its owner, anyone
// for the group's own actions, and facilitators (the server decides; this only hides buttons).

import { h, setText, show, uid } from "../../dom.js";
import { formatDate } from "../../format.js";
import { N_ } from "../../i18n.js";
import { act, feedbackLine, place } from "../../toolkit.js";

const STATUS = {
  open: N_("open"),
  done: N_("done"),
  carried: N_("carried over"),
};

/** "7 december 2026" for "2026-12-07" (a day: noon avoids a shift across time zones). */
function dayOf(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return formatDate(Date.UTC(year, month - 1, day, 12) / 1000);
}

export function mount(element, app) {
  const feedback = feedbackLine();
  const empty = h("p", { class: "hint review-empty" }, app.t("There are no open actions from earlier sessions."));
  const list = h("ul", { class: "review-list" });
  const rows = new Map();
  element.append(
    h(
      "section",
      { class: "tool tool-review" },
      h("h3", {}, app.t("Look back at the actions")),
      h("p", { class: "hint" }, app.t("What did we agree last time? Mark what is done, or carry it over to next time.")),
      feedback,
      empty,
      list,
    ),
  );

  function row(id) {
    const dateId = uid("review-due");
    const text = h("p", { class: "review-text" });
    const owner = h("span", { class: "review-owner" });
    const due = h("span", { class: "review-due" });
    const status = h("span", { class: "review-status" });
    const newDate = h("input", { type: "date", id: dateId, class: "review-new-due" });
    const done = h("button", { type: "button", class: "review-done", onclick: () => act(app, feedback, "action.mark_done", { action: id }) });
    const carry = h("button", {
      type: "button",
      class: "review-carry secondary",
      onclick: () => act(app, feedback, "action.carry", { action: id, due: newDate.value || null }),
    });
    setText(done, app.t("Done"));
    setText(carry, app.t("Carry over to next time"));
    const controls = h(
      "div",
      { class: "review-controls" },
      done,
      h("span", { class: "review-date-field" }, h("label", { for: dateId }, app.t("New date (optional)")), newDate),
      carry,
    );
    const li = h("li", { class: "review-action", "data-action": id }, text, h("p", { class: "review-meta" }, owner, due, status), controls);
    return { li, text, owner, due, status, done, carry, controls };
  }

  function update(state) {
    const me = app.me;
    const facilitator = app.canFacilitate();
    const mine = state.review.links[me] ?? null;
    const present = state.people[me];
    const canAct = !state.ended && present && !present.removed && app.role() !== "observer";
    const els = state.review.actions.map((action) => {
      let item = rows.get(action.id);
      if (!item) {
        item = row(action.id);
        rows.set(action.id, item);
      }
      setText(item.text, action.text);
      const who = action.owner === null ? app.t("the group") : action.owner_name || app.t("a member");
      setText(item.owner, app.t("Who: {name}", { name: who }));
      setText(item.due, action.due ? app.t("Date: {date}", { date: dayOf(action.due) }) : "");
      setText(item.status, app.t("Status: {status}", { status: app.t(STATUS[action.status]) }));
      item.li.classList.toggle("review-is-done", action.status === "done");
      const mayChange = canAct && (facilitator || action.owner === null || action.owner === mine);
      show(item.controls, mayChange);
      item.done.disabled = action.status === "done";
      item.done.setAttribute("aria-label", `${app.t("Done")}: ${action.text}`);
      item.carry.setAttribute("aria-label", `${app.t("Carry over to next time")}: ${action.text}`);
      return item.li;
    });
    place(list, els);
    show(empty, state.review.actions.length === 0);
    show(list, state.review.actions.length > 0);
  }

  return { update };
}
