// The cockpit's people: a compact list (name, role, in the room or remote), with one button
// per person that opens their actions (change the role, hand over the facilitation, remove):
// a disclosure, not three buttons per person. What only a facilitator may do is shown to F only.

import { h, replace, uid } from "./dom.js";
import { confirmDialog } from "./dialog.js";
import { activePeople, ROLE_LABELS } from "./people.js";

export function createRoster(app, { command, run }) {
  const list = h("ul", { class: "ws-manage" });
  const element = h("div", { class: "ws-console-part" }, h("h3", {}, app.t("People and roles")), list);
  let signature = "";
  let openFor = null; // whose actions are open, kept over re-renders
  let showLocation = false; // in the room or remote: only where there is a room

  async function removePerson(id) {
    const name = app.nameOf(id);
    const sure = await confirmDialog(
      app.t("Remove {name} from the session?", { name }),
      app.t("Remove"),
      app.t("{name} can no longer take part with this link. To keep them from joining again with the code, also close the session to newcomers.", { name }),
    );
    if (sure) command("participant.remove", { participant: id }, app.t("{name} was removed.", { name }));
  }

  function setRole(id, role) {
    const name = app.nameOf(id);
    command("role.set", { participant: id, role }, app.t("{name} is now {role}.", { name, role: app.t(ROLE_LABELS[role]).toLowerCase() }));
  }

  async function handOver(id) {
    const name = app.nameOf(id);
    const sure = await confirmDialog(
      app.t("Hand over the facilitation to {name}?", { name }),
      app.t("Hand over"),
      app.t("{name} becomes facilitator; you become co-facilitator.", { name }),
    );
    if (!sure) return;
    run(async () => {
      await app.send("role.set", { participant: id, role: "facilitator" });
      await app.send("role.set", { participant: app.me, role: "co-facilitator" });
      return app.t("{name} is now the facilitator.", { name });
    });
  }

  /** The actions one may take on a person, as [label, what it does] pairs. Nobody acts on the
   * facilitator who started the session (the first to join): the server refuses it. */
  function actionsFor(id, person, isFacilitator, starter) {
    const actions = [];
    if (id === starter) return actions;
    if (isFacilitator) {
      for (const role of ["co-facilitator", "participant", "observer"]) {
        if (role !== person.role) actions.push([app.t("Make {role}", { role: app.t(ROLE_LABELS[role]).toLowerCase() }), () => setRole(id, role), ""]);
      }
      if (person.role !== "facilitator") actions.push([app.t("Hand over the facilitation"), () => handOver(id), ""]);
    }
    if (isFacilitator || person.role !== "facilitator") actions.push([app.t("Remove"), () => removePerson(id), "danger"]);
    return actions;
  }

  function close(toggle, menu) {
    menu.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    openFor = null;
  }

  function row(id, person, isFacilitator, starter) {
    const actions = actionsFor(id, person, isFacilitator, starter);
    const menuId = uid("person-actions");
    const menu = h("ul", { id: menuId, class: "ws-person-menu", hidden: openFor !== id });
    const toggle = h(
      "button",
      {
        type: "button",
        class: "secondary small ws-person-toggle",
        "aria-expanded": String(openFor === id),
        "aria-controls": menuId,
        "aria-label": app.t("Actions for {name}", { name: person.name }),
        onclick: () => {
          const opening = menu.hidden;
          for (const other of list.querySelectorAll(".ws-person-menu")) other.hidden = true;
          for (const other of list.querySelectorAll(".ws-person-toggle")) other.setAttribute("aria-expanded", "false");
          menu.hidden = !opening;
          toggle.setAttribute("aria-expanded", String(opening));
          openFor = opening ? id : null;
          if (opening) menu.querySelector("button")?.focus();
        },
      },
      "⋯",
    );
    menu.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      close(toggle, menu);
      toggle.focus();
    });
    replace(
      menu,
      actions.map(([label, act, kind]) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: `small ${kind || "secondary"}`,
              onclick: () => {
                close(toggle, menu);
                toggle.focus();
                act();
              },
            },
            label,
          ),
        ),
      ),
    );
    const details = [app.t(ROLE_LABELS[person.role])];
    if (showLocation && person.location) details.push(person.location === "room" ? app.t("in the room") : app.t("remote"));
    return h(
      "li",
      { "data-participant": id },
      h(
        "div",
        { class: "ws-manage-row" },
        h("p", { class: "ws-manage-name" }, person.name, " ", h("span", { class: "ws-person-details" }, details.join(" · "))),
        actions.length ? toggle : null,
      ),
      actions.length ? menu : null,
    );
  }

  function update(state) {
    const isFacilitator = app.role() === "facilitator";
    const starter = Object.keys(state.people || {})[0] ?? null;
    const people = activePeople(state).filter(([id]) => id !== app.me);
    const next = JSON.stringify([people, isFacilitator, state.modality]);
    if (next === signature) return;
    // A change (someone joins) must not throw away the focus of someone choosing an action.
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const focusedPerson = focused?.closest("li[data-participant]")?.dataset.participant ?? null;
    const focusedLabel = focused?.textContent ?? null;
    signature = next;
    showLocation = state.modality === "hybrid" || state.modality === "on-site";
    if (!people.some(([id]) => id === openFor)) openFor = null;
    if (!people.length) {
      replace(list, h("li", { class: "hint" }, app.t("Nobody else has joined yet.")));
      return;
    }
    replace(list, people.map(([id, person]) => row(id, person, isFacilitator, starter)));
    if (focusedPerson === null) return;
    const item = [...list.children].find((li) => li.dataset.participant === focusedPerson);
    const buttons = item ? [...item.querySelectorAll("button")] : [];
    (buttons.find((button) => button.textContent === focusedLabel) ?? buttons[0])?.focus();
  }

  return { element, update };
}
