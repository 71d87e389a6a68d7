// Who is here (online or not, in the room or remote, their role). The raised hands are a tool
// (tools/hands.js).

import { h, replace, setText } from "./dom.js";
import { N_ } from "./i18n.js";

export const ROLE_LABELS = {
  facilitator: N_("Facilitator"),
  "co-facilitator": N_("Co-facilitator"),
  participant: N_("Participant"),
  observer: N_("Observer"),
};
const ROLE_ORDER = { facilitator: 0, "co-facilitator": 1, participant: 2, observer: 3 };

/** The people not removed, facilitators first, then by name. */
export function activePeople(state) {
  return Object.entries(state.people || {})
    .filter(([, person]) => !person.removed)
    .sort(
      ([, a], [, b]) =>
        (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.name.localeCompare(b.name),
    );
}

export function createPresence(app) {
  const heading = h("h2", { id: "ws-presence-heading" }, app.t("Who is here"));
  const list = h("ul", { class: "ws-people" });
  const element = h("section", { class: "ws-panel ws-presence", "aria-labelledby": "ws-presence-heading" }, heading, list);
  let signature = "";

  function update(state) {
    const people = activePeople(state);
    const online = app.online; // null until the server says who is connected
    const showLocation = state.modality === "hybrid" || state.modality === "on-site";
    const next = JSON.stringify([people, online ? [...online] : null, showLocation]);
    if (next === signature) return;
    signature = next;
    const total = people.length;
    const here = online ? people.filter(([id]) => online.has(id)).length : total;
    setText(heading, online ? app.t("Who is here ({online} of {total} online)", { online: here, total }) : app.t("Who is here"));
    replace(
      list,
      people.map(([id, person]) => {
        const isOnline = !online || online.has(id) || id === app.me;
        const details = [];
        if (person.role !== "participant") details.push(app.t(ROLE_LABELS[person.role] || person.role));
        if (showLocation && person.location) details.push(person.location === "room" ? app.t("in the room") : app.t("remote"));
        if (online) details.push(isOnline ? app.t("online") : app.t("not online"));
        return h(
          "li",
          { class: `ws-person role-${person.role}${isOnline ? "" : " is-away"}`, "data-participant": id },
          h("span", { class: "ws-dot", "aria-hidden": "true" }),
          h("span", { class: "ws-person-name" }, person.name, id === app.me ? ` (${app.t("you")})` : ""),
          details.length ? h("span", { class: "ws-person-details" }, details.join(" · ")) : null,
        );
      }),
    );
  }

  return { element, update };
}
