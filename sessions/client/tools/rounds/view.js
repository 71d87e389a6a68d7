// The speaking round (as in intervisie): who speaks in which order, who speaks now, who passed.
// The current speaker may pass; facilitators start a round (everyone, or an order they choose),
// move on and end it. Turn changes are announced.

import { h, setText, show, uid } from "../../dom.js";
import { act, feedbackLine, place } from "../../toolkit.js";

export function mount(element, app) {
  const feedback = feedbackLine();
  const status = h("p", { class: "round-status notice" });
  const orderList = h("ol", { class: "round-order" });
  const rows = new Map();
  const passButton = h(
    "button",
    { type: "button", class: "round-pass", onclick: () => act(app, feedback, "round.pass") },
    app.t("I pass"),
  );

  // Facilitator: start, next, pass for the speaker, end ----------------------------------
  const startAll = h(
    "button",
    { type: "button", class: "round-start", onclick: () => act(app, feedback, "round.start", { order: null }) },
    app.t("Start a round with everyone"),
  );
  const next = h(
    "button",
    { type: "button", class: "round-next", onclick: () => act(app, feedback, "round.next") },
    app.t("Next speaker"),
  );
  const passFor = h(
    "button",
    { type: "button", class: "round-pass-for secondary", onclick: () => act(app, feedback, "round.pass") },
    app.t("Pass for the speaker"),
  );
  const end = h(
    "button",
    { type: "button", class: "round-end secondary", onclick: () => act(app, feedback, "round.end") },
    app.t("End the round"),
  );

  // A chosen order: tick who speaks, move people up and down.
  let chosen = []; // participant ids in the chosen order
  const ticked = new Set();
  const pickRows = new Map();
  const pickList = h("ol", { class: "round-pick" });
  const startChosen = h(
    "button",
    {
      type: "button",
      class: "round-start-chosen secondary",
      onclick: () => {
        const order = chosen.filter((id) => ticked.has(id));
        if (order.length === 0) {
          setText(feedback, app.t("Tick at least one person."));
          return;
        }
        act(app, feedback, "round.start", { order });
      },
    },
    app.t("Start with this order"),
  );
  const moveChosen = (id, delta) => {
    const index = chosen.indexOf(id);
    const target = index + delta;
    if (index < 0 || target < 0 || target >= chosen.length) return;
    [chosen[index], chosen[target]] = [chosen[target], chosen[index]];
    renderPick(lastState);
    pickRows.get(id)[delta < 0 ? "up" : "down"].focus();
  };
  const pickRow = (id) => {
    const boxId = uid("pick");
    const box = h("input", {
      type: "checkbox",
      id: boxId,
      checked: true,
      onchange: () => (box.checked ? ticked.add(id) : ticked.delete(id)),
    });
    ticked.add(id);
    const name = h("label", { for: boxId });
    const up = h("button", { type: "button", class: "secondary small", onclick: () => moveChosen(id, -1) }, "↑");
    const down = h("button", { type: "button", class: "secondary small", onclick: () => moveChosen(id, 1) }, "↓");
    return { li: h("li", {}, box, " ", name, " ", up, down), name, up, down };
  };
  function renderPick(state) {
    const people = Object.entries(state.people).filter(([, p]) => !p.removed && p.role !== "observer");
    const present = new Set(people.map(([id]) => id));
    chosen = chosen.filter((id) => present.has(id));
    for (const [id] of people) if (!chosen.includes(id)) chosen.push(id);
    for (const id of [...pickRows.keys()]) if (!present.has(id)) pickRows.delete(id);
    const els = chosen.map((id) => {
      let row = pickRows.get(id);
      if (!row) {
        row = pickRow(id);
        pickRows.set(id, row);
      }
      const name = app.nameOf(id);
      setText(row.name, name);
      row.up.setAttribute("aria-label", app.t("Move {name} up", { name }));
      row.down.setAttribute("aria-label", app.t("Move {name} down", { name }));
      return row.li;
    });
    place(pickList, els);
  }
  const chooseOrder = h(
    "details",
    { class: "round-choose" },
    h("summary", {}, app.t("Choose who speaks, in which order")),
    pickList,
    startChosen,
  );
  const facilitate = h(
    "fieldset",
    { class: "facilitate" },
    h("legend", {}, app.t("For the facilitator")),
    h("div", { class: "actions" }, startAll, next, passFor, end),
    chooseOrder,
  );

  const section = h(
    "section",
    { class: "tool tool-round" },
    h("h3", {}, app.t("Speaking round")),
    h("p", { class: "hint" }, app.t("Everyone speaks in turn. You may pass when it is your turn.")),
    status,
    h("div", { class: "actions" }, passButton),
    feedback,
    orderList,
    facilitate,
  );
  element.append(section);

  let lastState = null;
  let announced = null; // "index:speaker" last announced, null before the first update

  function row(id) {
    const name = h("span", { class: "round-name" });
    const note = h("span", { class: "round-note" });
    return { li: h("li", { "data-participant": id }, name, " ", note), name, note };
  }

  function update(state) {
    lastState = state;
    const round = state.round;
    const speaking = round.current !== null && round.current < round.order.length;
    const speaker = speaking ? round.order[round.current] : null;
    const passed = new Set(round.passed);

    if (round.order.length === 0) setText(status, app.t("No speaking round has started yet."));
    else if (speaker === app.me) setText(status, app.t("It is your turn. Say what you want to say, or pass."));
    else if (speaking) setText(status, app.t("Now speaking: {name}", { name: app.nameOf(speaker) }));
    else setText(status, app.t("The round is over."));
    status.classList.toggle("round-mine", speaker === app.me);

    const els = round.order.map((id, index) => {
      const key = `${index}:${id}`;
      let item = rows.get(key);
      if (!item) {
        item = row(id);
        rows.set(key, item);
      }
      setText(item.name, app.nameOf(id) + (id === app.me ? ` ${app.t("(you)")}` : ""));
      let note = "";
      if (index === round.current) note = app.t("speaking now");
      else if (passed.has(id)) note = app.t("passed");
      else if (speaking && index < round.current) note = app.t("has spoken");
      else if (speaking) note = app.t("waiting");
      setText(item.note, note);
      if (index === round.current) item.li.setAttribute("aria-current", "true");
      else item.li.removeAttribute("aria-current");
      item.li.classList.toggle("round-current", index === round.current);
      item.li.classList.toggle("round-passed", passed.has(id));
      return item.li;
    });
    const wanted = new Set(round.order.map((id, index) => `${index}:${id}`));
    for (const key of [...rows.keys()]) if (!wanted.has(key)) rows.delete(key);
    place(orderList, els);
    show(orderList, round.order.length > 0);

    const canAct = !state.ended;
    show(passButton, canAct && speaker === app.me && speaker !== null);
    const facilitator = app.canFacilitate() && canAct;
    show(facilitate, facilitator);
    if (facilitator) {
      setText(startAll, speaking ? app.t("Start a new round with everyone") : app.t("Start a round with everyone"));
      next.disabled = !speaking;
      end.disabled = !speaking;
      show(passFor, speaking && speaker !== app.me);
      renderPick(state);
    }

    // Announce a new speaker, and the end of the round; not what was already so on arrival.
    const now = speaking ? `${round.current}:${speaker}:${round.order.join(",")}` : round.order.length ? "over" : "none";
    if (announced !== null && now !== announced) {
      if (speaker === app.me) app.announce(app.t("It is your turn."));
      else if (speaking) app.announce(app.t("Now speaking: {name}", { name: app.nameOf(speaker) }));
      else if (now === "over") app.announce(app.t("The round is over."));
    }
    announced = now;
  }

  return { update };
}
