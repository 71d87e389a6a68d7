// The facilitator's cockpit: what happens now (the phase, the script's guidance for the
// facilitator, who is done) with ONE primary action (start the first phase, the next phase),
// the timer, the agenda as a timeline and its editor, the board lock, people and roles, the
// video link, the join code for latecomers, closing the session to newcomers, and ending the session. Shown to F and C only; what
// only a facilitator may do (roles) is shown to F only.

import { h, replace, setText, show, uid } from "./dom.js";
import { N_ } from "./i18n.js";
import { confirmDialog } from "./dialog.js";
import { createAgendaEditor } from "./agenda.js";
import { createProgress } from "./progress.js";
import { createRoster } from "./roster.js";
import { createTimeline } from "./timeline.js";

const ERROR_TEXT = {
  no_next_phase: N_("This is the last phase."),
  no_previous_phase: N_("There is no previous phase."),
  not_running: N_("There is no timer running."),
  not_paused: N_("The timer is not paused."),
  last_facilitator: N_("Someone else must be facilitator first."),
  unknown_participant: N_("That person is no longer in the session."),
  forbidden: N_("You may not do that with your role."),
  session_ended: N_("The session has ended."),
  invalid: N_("That is not possible."),
};

export function safeVideoUrl(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function createConsole(app, options) {
  const status = h("p", { class: "ws-console-status", role: "status" });
  const failed = (error) => setText(status, app.t(ERROR_TEXT[error?.code] || "That did not work. Try again."));
  const command = (type, fields, success) => {
    setText(status, "");
    return app.send(type, fields).then(() => setText(status, success || ""), failed);
  };
  /** Several commands in a row; `steps` resolves to the text to show when all succeeded. */
  const run = (steps) => {
    setText(status, "");
    return steps().then((success) => setText(status, success || ""), failed);
  };

  // -- now: the phase, its guidance, who is done, the one primary action --
  const phaseLine = h("p", { class: "ws-console-phase" });
  const guidanceText = h("p", { class: "ws-guidance-text" });
  const guidance = h("div", { class: "ws-guidance", hidden: true }, h("h3", {}, app.t("What you do now")), guidanceText);
  const progress = createProgress(app);
  const primary = h("button", { type: "button", class: "primary ws-primary", onclick: () => command("phase.next") });
  const lastHint = h("p", { class: "hint", hidden: true }, app.t("This is the last phase. End the session when the group is done."));
  // Once the session has ended, the next step: only for whoever may compose the outcome.
  const composeLink = options.outcomeUrl
    ? h("a", { class: "button primary ws-primary", href: options.outcomeUrl, hidden: true }, app.t("Compose the outcome"))
    : null;
  const previousButton = h("button", { type: "button", class: "secondary small", onclick: () => command("phase.previous") }, app.t("Previous phase"));
  const pauseButton = h("button", { type: "button", class: "secondary small", onclick: () => pauseOrResume() });
  const minus = h("button", { type: "button", class: "secondary small", "aria-label": app.t("1 minute less"), onclick: () => command("phase.extend", { minutes: -1 }) }, app.t("−1 min"));
  const plus = h("button", { type: "button", class: "secondary small", "aria-label": app.t("1 minute more"), onclick: () => command("phase.extend", { minutes: 1 }) }, app.t("+1 min"));
  const plusFive = h("button", { type: "button", class: "secondary small", "aria-label": app.t("5 minutes more"), onclick: () => command("phase.extend", { minutes: 5 }) }, app.t("+5 min"));
  const timerControls = h("div", { class: "actions ws-timer-controls" }, pauseButton, minus, plus, plusFive);
  const nowPart = h(
    "div",
    { class: "ws-cockpit-now" },
    phaseLine,
    guidance,
    progress.element,
    h("div", { class: "actions" }, primary, composeLink),
    lastHint,
    timerControls,
    h("div", { class: "actions" }, previousButton),
  );

  function pauseOrResume() {
    const state = app.state;
    if (state.ends_at === null && state.remaining !== null) command("phase.resume", {}, app.t("The timer runs again."));
    else command("phase.pause", {}, app.t("The timer is paused."));
  }

  // -- the agenda: a timeline, going to any phase, the editor --
  const timeline = createTimeline(app);
  const jumpId = uid("jump");
  const jumpSelect = h("select", { id: jumpId });
  const jumpButton = h(
    "button",
    { type: "button", class: "secondary", onclick: () => command("phase.start", { index: Number(jumpSelect.value) }) },
    app.t("Start this phase"),
  );
  timeline.element.append(h("div", { class: "ws-field ws-jump" }, h("label", { for: jumpId }, app.t("Go to phase")), h("div", { class: "ws-row" }, jumpSelect, jumpButton)));
  const agenda = createAgendaEditor(app);

  // -- board lock --
  const lockButton = h("button", { type: "button", class: "secondary", "aria-pressed": "false", onclick: () => command("board.lock", { locked: !app.state.board_locked }) });
  const lockHint = h("p", { class: "hint" });
  const boardPart = h("div", { class: "ws-console-part" }, h("h3", {}, app.t("Board")), lockButton, lockHint);

  // -- people --
  const roster = createRoster(app, { command, run });

  // -- video link, join code, the end --
  const videoId = uid("video");
  const videoInput = h("input", { id: videoId, type: "url", inputMode: "url", maxLength: 500, placeholder: "https://", autocomplete: "off" });
  const videoForm = h(
    "form",
    { class: "ws-field" },
    h("label", { for: videoId }, app.t("Link to the video call")),
    h("p", { class: "hint" }, app.t("For example a Jitsi or BigBlueButton room. Leave empty to remove it.")),
    h("div", { class: "ws-row" }, videoInput, h("button", { type: "submit", class: "secondary" }, app.t("Save link"))),
  );
  let videoShown = null;
  videoForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = videoInput.value.trim();
    if (value && !safeVideoUrl(value)) {
      setText(status, app.t("The link must start with https:// or http://."));
      videoInput.setAttribute("aria-invalid", "true");
      videoInput.focus();
      return;
    }
    videoInput.removeAttribute("aria-invalid");
    command("session.video", { url: value || null }, value ? app.t("The video link was saved.") : app.t("The video link was removed."));
  });

  const joinPart = options.joinCode
    ? h(
        "div",
        { class: "ws-join" },
        h("p", {}, app.t("Latecomers join with code"), " ", h("strong", { class: "ws-join-code" }, options.joinCode)),
        options.joinUrl ? h("p", { class: "ws-join-url" }, app.t("or with the link"), " ", h("a", { href: options.joinUrl }, options.joinUrl)) : null,
      )
    : null;

  // Closed to newcomers: whoever is in stays (and comes back after a drop); nobody new joins,
  // also not someone removed who tries again from another browser.
  const joinsButton = h("button", {
    type: "button",
    class: "secondary",
    "aria-pressed": "false",
    onclick: () => {
      const locked = !app.state.joins_locked;
      command("joins.lock", { locked }, locked ? app.t("Nobody new can join now.") : app.t("Newcomers can join again."));
    },
  });
  const joinsHint = h("p", { class: "hint" });
  const joinsPart = h("div", { class: "ws-joins" }, joinsButton, joinsHint);

  async function endSession() {
    const sure = await confirmDialog(
      app.t("End the session for everyone?"),
      app.t("End the session"),
      app.t("After this, only the chat still works."),
    );
    if (sure) command("session.end");
  }
  const endButton = h("button", { type: "button", class: "danger", onclick: () => endSession() }, app.t("End the session"));
  const sessionPart = h("div", { class: "ws-console-part" }, h("h3", {}, app.t("Session")), joinPart, joinsPart, videoForm, h("div", { class: "actions ws-end" }, endButton));

  const element = h(
    "section",
    { class: "ws-panel ws-console", "aria-labelledby": "ws-console-heading" },
    h("h2", { id: "ws-console-heading" }, app.t("Facilitator console")),
    status,
    nowPart,
    timeline.element,
    agenda.element,
    boardPart,
    roster.element,
    sessionPart,
  );

  function updateNow(state) {
    const phases = state.phases;
    const current = state.phase;
    const ended = state.ended;
    const phase = current === null ? null : phases[current];
    if (ended) setText(phaseLine, app.t("The session has ended."));
    else if (phase) setText(phaseLine, app.t("Phase {number} of {total}: {name}", { number: current + 1, total: phases.length, name: phase.name }));
    else setText(phaseLine, app.t("The session has not started yet."));
    // The guidance of the phase that runs, or before the start of the one that comes first.
    const shownPhase = ended ? null : phase ?? phases[0];
    setText(guidanceText, shownPhase?.guidance || "");
    show(guidance, Boolean(shownPhase?.guidance));
    const last = current !== null && current >= phases.length - 1;
    setText(primary, current === null ? app.t("Start the first phase") : app.t("Next phase"));
    show(primary, !ended && !last);
    if (composeLink) show(composeLink, ended);
    show(lastHint, !ended && last);
    previousButton.disabled = ended || current === null || current === 0;
    show(previousButton, current !== null && !ended);
    const paused = state.ends_at === null && state.remaining !== null;
    const running = state.ends_at !== null;
    setText(pauseButton, paused ? app.t("Resume the timer") : app.t("Pause the timer"));
    show(timerControls, !state.asynchronous && !ended && (paused || running));
    progress.update(state);
  }

  function update(state) {
    const phases = state.phases;
    const ended = state.ended;
    updateNow(state);
    timeline.update(state);
    const names = JSON.stringify(phases.map((p) => p.name));
    if (jumpSelect.dataset.options !== names) {
      jumpSelect.dataset.options = names;
      const keep = jumpSelect.value;
      replace(jumpSelect, phases.map((phase, index) => h("option", { value: String(index) }, `${index + 1}. ${phase.name}`)));
      if (keep && Number(keep) < phases.length) jumpSelect.value = keep;
    }
    jumpButton.disabled = ended;
    endButton.disabled = ended;
    setText(lockButton, state.board_locked ? app.t("Open the board again") : app.t("Lock the board"));
    lockButton.setAttribute("aria-pressed", String(Boolean(state.board_locked)));
    lockButton.disabled = ended;
    setText(lockHint, state.board_locked ? app.t("The board is locked: participants can only read it.") : app.t("Participants can add and move notes."));
    const closed = Boolean(state.joins_locked);
    setText(joinsButton, closed ? app.t("Open to newcomers again") : app.t("Close to newcomers"));
    joinsButton.setAttribute("aria-pressed", String(closed));
    joinsButton.disabled = ended;
    setText(joinsHint, closed ? app.t("Closed: nobody new can join, also not with the code. Whoever is in stays in.") : app.t("Anyone with the code can join."));
    if (joinPart) show(joinPart, !closed);
    show(joinsPart, !ended);
    roster.update(state);
    const url = state.video_url ?? null;
    if (url !== videoShown && document.activeElement !== videoInput) {
      videoShown = url;
      videoInput.value = url || "";
    }
    agenda.update(state);
  }

  return { element, update };
}
