// The agenda as a timeline for the facilitator: each phase with when it starts (minutes from
// the start before the session runs, the clock time once it does), its minutes, and the running
// total against the time the practice plans (`planned_minutes`; without it the agenda's sum).

import { h, replace, setText, show } from "./dom.js";
import { formatTime } from "./format.js";

/** Minutes from the start of the agenda to the start of each phase, and the total. */
export function offsets(phases) {
  const starts = [];
  let total = 0;
  for (const phase of phases) {
    starts.push(total);
    total += phase.minutes;
  }
  return { starts, total };
}

export function createTimeline(app) {
  const list = h("ol", { class: "ws-timeline" });
  const total = h("p", { class: "ws-timeline-total" });
  const warning = h("p", { class: "ws-timeline-warning", hidden: true });
  const element = h("div", { class: "ws-console-part ws-timeline-part" }, h("h3", {}, app.t("Agenda")), list, total, warning);
  let signature = "";

  /** When each phase starts on the local clock, from the running phase's end (server time). */
  function clockTimes(state, starts) {
    const current = state.phase;
    if (current === null || state.ended || state.asynchronous) return null;
    const skew = app.serverNow() - Date.now() / 1000;
    let endOfCurrent = null;
    if (state.ends_at !== null) endOfCurrent = state.ends_at - skew;
    else if (state.remaining !== null) endOfCurrent = Date.now() / 1000 + state.remaining;
    if (endOfCurrent === null) return null;
    const currentEnd = starts[current] + state.phases[current].minutes;
    // Phases after the current one follow its (possibly extended) end; earlier ones are done.
    return starts.map((start, index) => (index < current ? null : endOfCurrent + 60 * (start - currentEnd)));
  }

  function update(state) {
    const { starts, total: sum } = offsets(state.phases);
    const times = clockTimes(state, starts);
    const shown = times ? times.map((time) => (time === null ? null : formatTime(time))) : null;
    const planned = state.planned_minutes ?? null;
    const next = JSON.stringify([state.phases.map((p) => [p.name, p.minutes]), state.phase, state.ended, shown, planned]);
    if (next === signature) return;
    signature = next;
    replace(
      list,
      state.phases.map((phase, index) => {
        const current = index === state.phase && !state.ended;
        const done = state.phase !== null && (index < state.phase || state.ended);
        let when;
        if (done) when = app.t("done");
        else if (shown && shown[index]) when = shown[index];
        else when = app.t("+{minutes} min", { minutes: starts[index] });
        return h(
          "li",
          { class: `ws-timeline-phase${current ? " is-current" : ""}${done ? " is-done" : ""}`, "aria-current": current ? "step" : null },
          h("span", { class: "ws-timeline-when" }, when),
          h("span", { class: "ws-timeline-name" }, phase.name),
          h("span", { class: "ws-timeline-minutes" }, app.t("{minutes} min", { minutes: phase.minutes })),
        );
      }),
    );
    if (planned) {
      setText(total, app.t("Total {minutes} min of the {planned} min planned", { minutes: sum, planned }));
      const over = sum - planned;
      show(warning, over > 0);
      setText(warning, over > 0 ? app.t("The agenda is {over} min longer than planned. Shorten a phase or tell the group.", { over }) : "");
    } else {
      setText(total, app.t("Total {minutes} min", { minutes: sum }));
      show(warning, false);
    }
  }

  return { element, update };
}
