// On phones the side column (hands and reactions, chat, who is here) is one tap away instead of
// a long scroll below the tool: a bar at the bottom of the screen opens one part at a time as a
// sheet above it. On wider screens the bar is hidden (workspace.css) and the side column shows
// every part, as it always did; the parts themselves never move in the DOM, so nothing typed is
// lost when a sheet closes.

import { h, setText, show } from "./dom.js";

/**
 * `sheets`: [{name, element, label(state, isOpen) -> text, present(state) -> bool}], in the
 * bar's order. Returns {element, update(state)}.
 */
export function createDock(app, sheets) {
  const element = h("nav", { class: "ws-dock", "aria-label": app.t("More in this session") });
  let open = null;
  let lastState = null;
  const entries = sheets.map((sheet) => {
    sheet.element.classList.add("ws-sheet");
    if (!sheet.element.id) sheet.element.id = `ws-sheet-${sheet.name}`;
    sheet.element.tabIndex = -1; // focus moves into an opened sheet, so Tab goes on inside it
    const button = h("button", {
      type: "button",
      class: "ws-dock-button",
      "aria-expanded": "false",
      "aria-controls": sheet.element.id,
      onclick: () => choose(open === sheet.name ? null : sheet.name),
    });
    element.append(button);
    return { ...sheet, button };
  });

  function choose(name) {
    open = name;
    for (const entry of entries) {
      const isOpen = entry.name === name;
      entry.element.classList.toggle("is-open", isOpen);
      entry.button.setAttribute("aria-expanded", String(isOpen));
    }
    // The sheet sits right above the bar, whose height depends on how its labels wrap.
    document.documentElement.style.setProperty("--ws-dock-height", `${element.offsetHeight}px`);
    if (lastState) update(lastState); // a label may change with it ("Chat (2 new)" read)
    const entry = entries.find((e) => e.name === name);
    if (entry && element.offsetParent !== null) entry.element.focus({ preventScroll: true });
  }

  function update(state) {
    lastState = state;
    for (const entry of entries) {
      const present = entry.present(state);
      show(entry.button, present);
      setText(entry.button, entry.label(state, open === entry.name));
      if (!present && open === entry.name) choose(null);
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || open === null || event.defaultPrevented) return;
    const entry = entries.find((e) => e.name === open);
    choose(null);
    entry.button.focus();
  });

  return { element, update };
}
