// A compact agenda editor for facilitators: reorder, add, remove, change minutes and tool.

import { h, replace, setText, uid } from "./dom.js";
import { dateFieldsOf, epochOf } from "./format.js";
import { AGENDA_TOOLS } from "./tools/index.js";

// The tools a phase can use and their names, from the registry.
export const TOOL_KEYS = AGENDA_TOOLS.map((tool) => tool.key);
export const TOOL_LABELS = Object.fromEntries(AGENDA_TOOLS.map((tool) => [tool.key, tool.label]));

// A row keeps its closing date as typed (Dutch time); `until` is made from it on saving.
function copyPhases(phases) {
  return phases.map((phase) => {
    const closes = phase.until === null || phase.until === undefined ? { date: "", time: "" } : dateFieldsOf(phase.until);
    return { ...phase, closesDate: closes.date, closesTime: closes.time };
  });
}

const LONGEST_DAYS = 92; // as the server (sessions/tools/phases.py)

export function createAgendaEditor(app) {
  let rows = [];
  let dirty = false;
  let lastServer = "";
  const list = h("ol", { class: "ws-agenda" });
  const status = h("p", { role: "status", class: "ws-agenda-status" });
  const save = h("button", { type: "button", onclick: () => submit() }, app.t("Save agenda"));
  const reset = h("button", { type: "button", class: "secondary", onclick: () => load(true) }, app.t("Undo changes"));
  const element = h(
    "details",
    { class: "ws-console-part ws-agenda-editor" },
    h("summary", {}, app.t("Edit the agenda")),
    h("p", { class: "hint" }, app.t("The last phase is always the harvest.")),
    list,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => add() }, app.t("Add a phase")),
      save,
      reset,
    ),
    status,
  );

  function load(force) {
    const server = JSON.stringify(app.state.phases);
    if (!force && (dirty || server === lastServer)) return;
    lastServer = server;
    rows = copyPhases(app.state.phases);
    dirty = false;
    render();
  }

  function changed() {
    dirty = true;
    setText(status, app.t("Not saved yet."));
  }

  function move(index, by, focusClass) {
    const target = index + by;
    if (target < 0 || target >= rows.length) return;
    [rows[index], rows[target]] = [rows[target], rows[index]];
    changed();
    render();
    list.children[target]?.querySelector(`.${focusClass}`)?.focus();
  }

  function remove(index) {
    if (rows.length <= 1) return;
    const name = rows[index].name;
    rows.splice(index, 1);
    changed();
    render();
    app.announce(app.t("Phase {name} removed from the agenda.", { name }));
    list.children[Math.min(index, rows.length - 1)]?.querySelector("input")?.focus();
  }

  function add() {
    const at = Math.max(0, rows.length - 1); // before the harvest
    rows.splice(at, 0, { name: app.t("New phase"), minutes: 10, tool: "board", purpose: "", instructions: "", guidance: "", closesDate: "", closesTime: "" });
    changed();
    render();
    const input = list.children[at]?.querySelector("input");
    input?.focus();
    input?.select();
  }

  function render() {
    const current = app.state.phase;
    replace(
      list,
      rows.map((row, index) => {
        const nameId = uid("agenda-name");
        const minutesId = uid("agenda-minutes");
        const toolId = uid("agenda-tool");
        const dateId = uid("agenda-closes-date");
        const timeId = uid("agenda-closes-time");
        const number = index + 1;
        // Phases over days close on a date (Dutch time); a live session's phases have minutes.
        const closing = app.state.asynchronous
          ? [
              h(
                "div",
                { class: "ws-field ws-field-closes" },
                h("label", { for: dateId }, app.t("Closes on")),
                h("input", {
                  id: dateId,
                  type: "date",
                  value: row.closesDate,
                  oninput: (event) => {
                    row.closesDate = event.target.value;
                    changed();
                  },
                }),
              ),
              h(
                "div",
                { class: "ws-field ws-field-closes" },
                h("label", { for: timeId }, app.t("Closes at")),
                h("input", {
                  id: timeId,
                  type: "time",
                  value: row.closesTime,
                  oninput: (event) => {
                    row.closesTime = event.target.value;
                    changed();
                  },
                }),
              ),
            ]
          : [];
        return h(
          "li",
          { class: index === current && !dirty ? "is-current" : "" },
          h(
            "div",
            { class: "ws-agenda-fields" },
            h(
              "div",
              { class: "ws-field ws-field-name" },
              h("label", { for: nameId }, app.t("Phase {number}", { number })),
              h("input", {
                id: nameId,
                type: "text",
                value: row.name,
                maxLength: 300, // as a catalogue script's phase name (catalogue/variants/schema.py)
                required: true,
                oninput: (event) => {
                  row.name = event.target.value;
                  changed();
                },
              }),
            ),
            h(
              "div",
              { class: "ws-field ws-field-minutes" },
              h("label", { for: minutesId }, app.t("Minutes")),
              h("input", {
                id: minutesId,
                type: "number",
                min: 1,
                max: 600,
                inputMode: "numeric",
                value: String(row.minutes),
                oninput: (event) => {
                  row.minutes = Number.parseInt(event.target.value, 10);
                  changed();
                },
              }),
            ),
            h(
              "div",
              { class: "ws-field ws-field-tool" },
              h("label", { for: toolId }, app.t("Tool")),
              h(
                "select",
                {
                  id: toolId,
                  onchange: (event) => {
                    row.tool = event.target.value;
                    changed();
                  },
                },
                TOOL_KEYS.map((key) => h("option", { value: key, selected: key === row.tool }, app.t(TOOL_LABELS[key]))),
              ),
            ),
            ...closing,
          ),
          h(
            "div",
            { class: "ws-agenda-buttons" },
            h(
              "button",
              {
                type: "button",
                class: "secondary small move-up",
                disabled: index === 0,
                "aria-label": app.t("Move phase {number} up", { number }),
                onclick: () => move(index, -1, "move-up"),
              },
              "↑",
            ),
            h(
              "button",
              {
                type: "button",
                class: "secondary small move-down",
                disabled: index === rows.length - 1,
                "aria-label": app.t("Move phase {number} down", { number }),
                onclick: () => move(index, 1, "move-down"),
              },
              "↓",
            ),
            h(
              "button",
              {
                type: "button",
                class: "secondary small",
                disabled: rows.length <= 1,
                "aria-label": app.t("Remove phase {number}", { number }),
                onclick: () => remove(index),
              },
              app.t("Remove"),
            ),
          ),
        );
      }),
    );
  }

  // The closing dates typed, as epoch seconds (null where none), or a message saying what is wrong.
  function closingDates() {
    const known = new Set(app.state.phases.map((phase) => phase.until).filter((until) => until !== null && until !== undefined));
    const now = app.serverNow();
    const dates = [];
    let last = null;
    for (const [index, row] of rows.entries()) {
      const number = index + 1;
      if (!row.closesDate && !row.closesTime) {
        dates.push(null);
        continue;
      }
      const until = epochOf(row.closesDate, row.closesTime);
      if (until === null) return { problem: app.t("Phase {number}: give both a closing day and a time.", { number }) };
      if (!known.has(until) && until <= now) return { problem: app.t("Phase {number}: a new closing date must be in the future.", { number }) };
      if (until > now + LONGEST_DAYS * 86400) {
        return { problem: app.t("Phase {number}: a phase can close at most {days} days from now.", { number, days: LONGEST_DAYS }) };
      }
      if (last !== null && until <= last) return { problem: app.t("Phase {number} must close after the phase before it.", { number }) };
      last = until;
      dates.push(until);
    }
    return { dates };
  }

  function submit() {
    const phases = [];
    const closing = app.state.asynchronous ? closingDates() : { dates: rows.map(() => null) };
    if (closing.problem) {
      setText(status, closing.problem);
      return;
    }
    for (const [index, row] of rows.entries()) {
      const name = (row.name || "").trim();
      if (!name || !Number.isInteger(row.minutes) || row.minutes < 1 || row.minutes > 600) {
        setText(status, app.t("Every phase needs a name and 1 to 600 minutes."));
        return;
      }
      const phase = { name, minutes: row.minutes, tool: row.tool, purpose: row.purpose || "", instructions: row.instructions || "" };
      if (closing.dates[index] !== null) phase.until = closing.dates[index];
      // The facilitator's guidance is not edited here; it must survive every other edit.
      if (row.guidance) phase.guidance = row.guidance;
      phases.push(phase);
    }
    if (phases[phases.length - 1].tool !== "harvest") {
      setText(status, app.t("The last phase must use the harvest tool."));
      return;
    }
    save.disabled = true;
    setText(status, app.t("Saving…"));
    app.send("agenda.set", { phases }).then(
      () => {
        save.disabled = false;
        dirty = false;
        setText(status, app.t("Agenda saved."));
        load(true);
      },
      (error) => {
        save.disabled = false;
        setText(
          status,
          error?.code === "too_large"
            ? app.t("The agenda is too long to save at once: make the phases' texts shorter, or remove a phase.")
            : app.t("The agenda was not saved. Check the phases and try again."),
        );
      },
    );
  }

  return {
    element,
    update() {
      load(false);
    },
  };
}
