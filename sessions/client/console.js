// The facilitator console: phases and timer, the agenda, the board lock, people and roles,
// the video link, the join code for latecomers, ending the session. Shown to F and C only;
// what only a facilitator may do (roles) is shown to F only.

import { h, replace, setText, show, uid } from "./dom.js";
import { N_ } from "./i18n.js";
import { confirmDialog } from "./dialog.js";
import { createAgendaEditor } from "./agenda.js";
import { activePeople, ROLE_LABELS } from "./people.js";

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
  const report = (promise, success) =>
    promise.then(
      () => setText(status, success || ""),
      (error) => setText(status, app.t(ERROR_TEXT[error.code] || "That did not work. Try again.")),
    );
  const command = (type, fields, success) => {
    setText(status, "");
    return report(app.send(type, fields), success);
  };

  // -- phases and timer --
  const phaseLine = h("p", { class: "ws-console-phase" });
  const startButton = h("button", { type: "button", onclick: () => command("phase.next") });
  const previousButton = h("button", { type: "button", class: "secondary", onclick: () => command("phase.previous") }, app.t("Previous phase"));
  const pauseButton = h("button", { type: "button", class: "secondary", onclick: () => pauseOrResume() });
  const minus = h("button", { type: "button", class: "secondary", "aria-label": app.t("1 minute less"), onclick: () => command("phase.extend", { minutes: -1 }) }, app.t("−1 min"));
  const plus = h("button", { type: "button", class: "secondary", "aria-label": app.t("1 minute more"), onclick: () => command("phase.extend", { minutes: 1 }) }, app.t("+1 min"));
  const plusFive = h("button", { type: "button", class: "secondary", "aria-label": app.t("5 minutes more"), onclick: () => command("phase.extend", { minutes: 5 }) }, app.t("+5 min"));
  const jumpId = uid("jump");
  const jumpSelect = h("select", { id: jumpId });
  const jumpButton = h(
    "button",
    { type: "button", class: "secondary", onclick: () => command("phase.start", { index: Number(jumpSelect.value) }) },
    app.t("Start this phase"),
  );
  const endButton = h("button", { type: "button", class: "danger", onclick: () => endSession() }, app.t("End the session"));
  const timerControls = h("div", { class: "actions" }, pauseButton, minus, plus, plusFive);
  const phasePart = h(
    "div",
    { class: "ws-console-part" },
    h("h3", {}, app.t("Phase and time")),
    phaseLine,
    h("div", { class: "actions" }, startButton, previousButton),
    timerControls,
    h("div", { class: "ws-field ws-jump" }, h("label", { for: jumpId }, app.t("Go to phase")), h("div", { class: "ws-row" }, jumpSelect, jumpButton)),
  );

  function pauseOrResume() {
    const state = app.state;
    if (state.ends_at === null && state.remaining !== null) command("phase.resume", {}, app.t("The timer runs again."));
    else command("phase.pause", {}, app.t("The timer is paused."));
  }

  async function endSession() {
    const sure = await confirmDialog(
      app.t("End the session for everyone?"),
      app.t("End the session"),
      app.t("After this, only the chat still works."),
    );
    if (sure) command("session.end");
  }

  // -- board lock --
  const lockButton = h("button", { type: "button", class: "secondary", "aria-pressed": "false", onclick: () => command("board.lock", { locked: !app.state.board_locked }) });
  const lockHint = h("p", { class: "hint" });
  const boardPart = h("div", { class: "ws-console-part" }, h("h3", {}, app.t("Board")), lockButton, lockHint);

  // -- people --
  const peopleList = h("ul", { class: "ws-manage" });
  const peoplePart = h("div", { class: "ws-console-part" }, h("h3", {}, app.t("People and roles")), peopleList);
  let peopleSignature = "";

  async function removePerson(id) {
    const name = app.nameOf(id);
    const sure = await confirmDialog(
      app.t("Remove {name} from the session?", { name }),
      app.t("Remove"),
      app.t("{name} can no longer take part with this link.", { name }),
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
    setText(status, "");
    try {
      await app.send("role.set", { participant: id, role: "facilitator" });
      await app.send("role.set", { participant: app.me, role: "co-facilitator" });
      setText(status, app.t("{name} is now the facilitator.", { name }));
    } catch (error) {
      setText(status, app.t(ERROR_TEXT[error.code] || "That did not work. Try again."));
    }
  }

  function renderPeople(state) {
    const isFacilitator = app.role() === "facilitator";
    const people = activePeople(state).filter(([id]) => id !== app.me);
    const signature = JSON.stringify([people, isFacilitator]);
    if (signature === peopleSignature) return;
    // Do not pull the list from under someone choosing a role.
    if (peopleList.contains(document.activeElement) && document.activeElement.tagName === "SELECT") return;
    peopleSignature = signature;
    if (!people.length) {
      replace(peopleList, h("li", { class: "hint" }, app.t("Nobody else has joined yet.")));
      return;
    }
    replace(
      peopleList,
      people.map(([id, person]) => {
        const selectId = uid("role");
        const select = h(
          "select",
          { id: selectId },
          Object.keys(ROLE_LABELS).map((role) => h("option", { value: role, selected: role === person.role }, app.t(ROLE_LABELS[role]))),
        );
        const canRemove = isFacilitator || person.role !== "facilitator";
        return h(
          "li",
          { "data-participant": id },
          h("p", { class: "ws-manage-name" }, person.name, " ", h("span", { class: "ws-person-details" }, app.t(ROLE_LABELS[person.role]))),
          isFacilitator
            ? h(
                "div",
                { class: "ws-row ws-role-row" },
                h("label", { for: selectId, class: "visually-hidden" }, app.t("Role of {name}", { name: person.name })),
                select,
                h(
                  "button",
                  {
                    type: "button",
                    class: "secondary small",
                    "aria-label": app.t("Change the role of {name}", { name: person.name }),
                    onclick: () => {
                      if (select.value !== person.role) setRole(id, select.value);
                    },
                  },
                  app.t("Change role"),
                ),
              )
            : null,
          h(
            "div",
            { class: "actions" },
            isFacilitator && person.role !== "facilitator"
              ? h(
                  "button",
                  { type: "button", class: "secondary small", "aria-label": app.t("Hand over the facilitation to {name}", { name: person.name }), onclick: () => handOver(id) },
                  app.t("Hand over the facilitation"),
                )
              : null,
            canRemove
              ? h(
                  "button",
                  { type: "button", class: "danger small", "aria-label": app.t("Remove {name}", { name: person.name }), onclick: () => removePerson(id) },
                  app.t("Remove"),
                )
              : null,
          ),
        );
      }),
    );
  }

  // -- video link and join code --
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
  const sessionPart = h("div", { class: "ws-console-part" }, h("h3", {}, app.t("Session")), joinPart, videoForm, h("div", { class: "actions" }, endButton));

  const agenda = createAgendaEditor(app);
  const element = h(
    "section",
    { class: "ws-panel ws-console", "aria-labelledby": "ws-console-heading" },
    h("h2", { id: "ws-console-heading" }, app.t("Facilitator console")),
    status,
    phasePart,
    agenda.element,
    boardPart,
    peoplePart,
    sessionPart,
  );

  function update(state) {
    const phases = state.phases;
    const current = state.phase;
    const ended = state.ended;
    if (current === null) {
      setText(phaseLine, app.t("The session has not started yet."));
      setText(startButton, app.t("Start the first phase"));
    } else {
      setText(phaseLine, app.t("Phase {number} of {total}: {name}", { number: current + 1, total: phases.length, name: phases[current]?.name ?? "" }));
      setText(startButton, app.t("Next phase"));
    }
    startButton.disabled = ended || (current !== null && current >= phases.length - 1);
    previousButton.disabled = ended || current === null || current === 0;
    const paused = state.ends_at === null && state.remaining !== null;
    const running = state.ends_at !== null;
    setText(pauseButton, paused ? app.t("Resume the timer") : app.t("Pause the timer"));
    pauseButton.disabled = ended || (!paused && !running) || state.asynchronous;
    for (const button of [minus, plus, plusFive]) button.disabled = ended || (!paused && !running) || state.asynchronous;
    show(timerControls, !state.asynchronous);
    const options = JSON.stringify(phases.map((p) => p.name));
    if (jumpSelect.dataset.options !== options) {
      jumpSelect.dataset.options = options;
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
    renderPeople(state);
    const url = state.video_url ?? null;
    if (url !== videoShown && document.activeElement !== videoInput) {
      videoShown = url;
      videoInput.value = url || "";
    }
    agenda.update(state);
  }

  return { element, update };
}
