// The countdown of the current phase, on server time (right even when this device's clock is off).

import { h, setText, show } from "./dom.js";
import { N_ } from "./i18n.js";
import { formatDateTime } from "./format.js";

const MILESTONES = [
  [300, N_("5 minutes left")],
  [60, N_("1 minute left")],
  [0, N_("Time is up")],
];

/** "4:05", "1:02:03". */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** Seconds left in the phase: null when there is no timer. */
export function secondsLeft(state, serverNow) {
  if (!state || state.ended || state.phase === null) return null;
  if (state.ends_at !== null && state.ends_at !== undefined) return Math.max(0, state.ends_at - serverNow);
  if (state.remaining !== null && state.remaining !== undefined) return state.remaining;
  return null;
}

export function createTimer(app) {
  const label = h("span", { class: "ws-timer-label" });
  const value = h("span", { class: "ws-timer-value" });
  const element = h("div", { class: "ws-timer", role: "timer", hidden: true }, label, " ", value);
  let key = null;
  let lastLeft = null;

  function render() {
    const state = app.state;
    const left = secondsLeft(state, app.serverNow());
    if (left === null) {
      const untimed = state && !state.ended && state.phase !== null && state.asynchronous;
      show(element, Boolean(untimed));
      if (untimed) {
        setText(label, app.t("No end date"));
        setText(value, "");
      }
      element.dataset.state = "none";
      key = null;
      return;
    }
    show(element, true);
    if (state.asynchronous && state.ends_at !== null) {
      setText(label, app.t("Open until"));
      setText(value, formatDateTime(state.ends_at));
      element.dataset.state = "date";
      return;
    }
    const paused = state.ends_at === null;
    let mode = "running";
    if (paused) {
      setText(label, app.t("Paused, time left:"));
      mode = "paused";
    } else if (left <= 0) {
      setText(label, app.t("Time is up"));
      mode = "up";
    } else {
      setText(label, app.t("Time left:"));
      if (left <= 60) mode = "low";
    }
    setText(value, formatDuration(left));
    element.dataset.state = mode;
    // Milestones are spoken when the countdown crosses them, not when the page first shows them.
    const nowKey = `${state.phase}:${state.ends_at}:${state.remaining}`;
    if (nowKey !== key) {
      key = nowKey;
      lastLeft = paused ? null : left;
      return;
    }
    if (!paused && lastLeft !== null) {
      for (const [at, message] of MILESTONES) {
        if (lastLeft > at && left <= at) app.announce(app.t(message));
      }
    }
    lastLeft = paused ? null : left;
  }

  setInterval(render, 1000);
  return { element, update: render };
}
