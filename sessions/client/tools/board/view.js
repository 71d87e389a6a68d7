// The board: notes (private first, then revealed; anonymous or not), clusters, votes, moving
// notes by pointer and by keyboard. On a phone it is a list ordered by cluster; on a wide screen
// also a canvas with the notes where people put them. The list view is always one click away.
//
// Which board: my breakout group's while I am in one, else the plenary board; in the plenary the
// group boards follow, read-only in reading order, one section per group. The parts: layout.js
// (where notes go), note.js (a note card), clusters.js (the cluster sections); this module
// builds the board, its forms and its group boards, and updates them all.

import { h, setText, show, uid } from "../../dom.js";
import { act, feedbackLine, groupLabel, groupOf, mayTakePart, mayWriteBoard, own, place, sortGroups, throttle } from "../../toolkit.js";
import { votingAdmin, votingStatus } from "../voting/view.js";
import { makeSections } from "./clusters.js";
import { freeSpot, headingTag, notesOn } from "./layout.js";
import { makeNote } from "./note.js";

const NARROW = "(max-width: 47.99rem)";
// List or canvas, as chosen on this page (every board on the page follows the choice).
let preferredView = null;

export function mount(element, app) {
  return mountBoard(element, app);
}

/**
 * The board inside `element`. Options: `level` of its heading (3), `votingPanel` (true: the
 * voting status and the facilitator's voting controls), `readOnly` (false).
 */
export function mountBoard(element, app, options = {}) {
  const level = options.level || 3;
  const readOnly = Boolean(options.readOnly);
  const withVoting = options.votingPanel !== false && !readOnly;
  const feedback = feedbackLine();
  const narrow = window.matchMedia(NARROW);
  let view = preferredView || (narrow.matches ? "list" : "canvas");
  let state = null;
  let mainGroup = null;

  // Heading and hints ---------------------------------------------------------------------
  const heading = h(headingTag(level), { class: "board-heading" }, app.t("Board"));
  const hint = h(
    "p",
    { class: "hint" },
    app.t(
      "Write your ideas on notes. Choose “First just for me” to write on your own first; the facilitator shows those notes to everyone later.",
    ),
  );
  const locked = h("p", { class: "notice board-locked" }, app.t("The board is read-only now."));
  const moveHintId = uid("move-hint");
  const moveHint = h(
    "p",
    { id: moveHintId, class: "visually-hidden" },
    app.t("Use the arrow keys to move the note; with Shift it moves further."),
  );

  // Voting --------------------------------------------------------------------------------
  const status = votingStatus(app);
  const admin = votingAdmin(app, feedback);
  const revealNotes = h(
    "button",
    {
      type: "button",
      class: "notes-reveal secondary",
      onclick: () => act(app, feedback, "notes.reveal").then((ok) => ok && app.announce(app.t("The private notes are shown to everyone."))),
    },
    app.t("Show the private notes"),
  );
  const facilitate = h(
    "fieldset",
    { class: "facilitate" },
    h("legend", {}, app.t("For the facilitator")),
    h("div", { class: "actions" }, revealNotes),
    withVoting ? admin.el : null,
  );

  // Writing a note ------------------------------------------------------------------------
  const noteDraft = app.draft("board.note");
  const noteTextId = uid("note-text");
  const noteText = h("textarea", {
    id: noteTextId,
    rows: 3,
    maxLength: 500,
    value: noteDraft.get() || "",
    oninput: () => noteDraft.set(noteText.value),
  });
  const privateBox = h("input", { type: "checkbox", class: "note-private-choice" });
  const anonymousBox = h("input", { type: "checkbox", class: "note-anonymous-choice" });
  let anonymousTouched = false;
  anonymousBox.addEventListener("change", () => {
    anonymousTouched = true;
  });
  const addButton = h("button", { type: "submit" }, app.t("Add note"));
  let pendingText = null;
  const noteForm = h(
    "form",
    { class: "note-form", onsubmit: (event) => addNote(event) },
    h("label", { for: noteTextId }, app.t("New note")),
    noteText,
    h(
      "div",
      { class: "checks" },
      h("label", { class: "check" }, privateBox, " ", app.t("First just for me (only you see it until the facilitator shows it)")),
      h("label", { class: "check" }, anonymousBox, " ", app.t("Without my name")),
    ),
    h("div", { class: "actions" }, addButton),
  );

  async function addNote(event) {
    event.preventDefault();
    const text = noteText.value.trim();
    if (!text) {
      setText(feedback, app.t("Write something first."));
      noteText.focus();
      return;
    }
    if (text === pendingText) return; // already on its way
    pendingText = text;
    const spot = freeSpot(notesOn(state, mainGroup), app.me);
    const fields = { text, private: privateBox.checked, anonymous: anonymousBox.checked, ...spot };
    const ok = await act(app, feedback, "note.add", fields, { draft: "board.note" });
    pendingText = null;
    if (!ok) return;
    // Cleared only now that the server has it, and only if nothing new was typed meanwhile.
    if (noteText.value.trim() === text) {
      noteText.value = "";
      noteDraft.clear();
    } else {
      noteDraft.set(noteText.value); // typed meanwhile: keep it (the ack cleared the draft)
    }
    privateBox.checked = false;
    app.announce(fields.private ? app.t("Note added, only visible to you.") : app.t("Note added."));
  }

  // Making a cluster ----------------------------------------------------------------------
  const clusterDraft = app.draft("board.cluster");
  const clusterTitleId = uid("cluster-title");
  const clusterTitle = h("input", {
    id: clusterTitleId,
    type: "text",
    maxLength: 120,
    value: clusterDraft.get() || "",
    oninput: () => clusterDraft.set(clusterTitle.value),
  });
  const clusterForm = h(
    "form",
    {
      class: "cluster-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const title = clusterTitle.value.trim();
        if (!title) {
          setText(feedback, app.t("Give the cluster a title first."));
          clusterTitle.focus();
          return;
        }
        if (await act(app, feedback, "cluster.create", { title }, { draft: "board.cluster" })) {
          if (clusterTitle.value.trim() === title) {
            clusterTitle.value = "";
            clusterDraft.clear();
          } else {
            clusterDraft.set(clusterTitle.value);
          }
          app.announce(app.t("Cluster added."));
        }
      },
    },
    h("label", { for: clusterTitleId }, app.t("New cluster")),
    h("div", { class: "inline-field" }, clusterTitle, h("button", { type: "submit", class: "secondary" }, app.t("Add cluster"))),
  );

  // List or canvas ------------------------------------------------------------------------
  const listButton = h("button", { type: "button", class: "secondary small", onclick: () => chooseView("list") }, app.t("List"));
  const canvasButton = h("button", { type: "button", class: "secondary small", onclick: () => chooseView("canvas") }, app.t("Canvas"));
  const viewSwitch = h(
    "div",
    { class: "view-switch", role: "group", "aria-label": app.t("Show the board as") },
    listButton,
    canvasButton,
  );
  function chooseView(next) {
    preferredView = next;
    view = next;
    if (state) update(state);
  }
  narrow.addEventListener("change", () => {
    if (!preferredView || narrow.matches) {
      view = narrow.matches ? "list" : "canvas";
      if (state) update(state);
    }
  });

  const canvas = h("ul", { class: "board-canvas", "aria-label": app.t("Notes on the canvas") });
  const empty = h("p", { class: "hint board-empty" }, app.t("No notes yet."));
  // What the note cards and cluster sections share with the board, the state as it is now too.
  const signalDrag = throttle((id, x, y) => app.signal && app.signal("dragging", id, x, y), 150);
  const ctx = { app, feedback, readOnly, moveHintId, canvas, signalDrag, get state() { return state; } };
  const mainSections = makeSections(ctx, () => mainGroup, level + 1);
  const groupsHeading = h(headingTag(level + 1), {}, app.t("Boards of the groups"));
  const groupsList = h("div", { class: "group-board-list" });
  const groupsArea = h("div", { class: "group-boards" }, groupsHeading, groupsList);
  const groupViews = new Map();

  const section = h(
    "section",
    { class: "tool tool-board" },
    heading,
    hint,
    locked,
    withVoting ? status.el : null,
    facilitate,
    readOnly ? null : noteForm,
    readOnly ? null : clusterForm,
    feedback,
    viewSwitch,
    empty,
    canvas,
    mainSections.el,
    groupsArea,
    moveHint,
  );
  element.append(section);

  // Notes ---------------------------------------------------------------------------------
  const noteViews = new Map();

  if (app.onSignal) {
    app.onSignal((signal) => {
      if (!signal || signal.kind !== "dragging" || view !== "canvas") return;
      const noteView = noteViews.get(signal.ref);
      if (noteView && signal.x !== null && signal.y !== null) noteView.showRemote(signal.x, signal.y);
    });
  }

  // Cluster sections ----------------------------------------------------------------------

  // Group boards in the plenary -----------------------------------------------------------
  function makeGroupBoard(group) {
    const title = h(headingTag(level + 2), {}, groupLabel(app, group));
    const sections = makeSections(ctx, () => group, level + 3);
    return {
      el: h("section", { class: "group-board", "data-group": group }, title, sections.el),
      sections,
    };
  }

  // Update --------------------------------------------------------------------------------
  function noteElsByCluster(entries, where) {
    const byCluster = new Map();
    for (const [id, note] of entries) {
      const noteView = noteViews.get(id);
      noteView.update(state, note, where);
      const cluster = note.cluster && own(state.clusters, note.cluster) ? note.cluster : null;
      if (!byCluster.has(cluster)) byCluster.set(cluster, []);
      byCluster.get(cluster).push(noteView.el);
    }
    return byCluster;
  }

  function update(current) {
    state = current;
    const active = document.activeElement;
    mainGroup = groupOf(current, app.me);
    setText(heading, mainGroup ? app.t("Board of {group}", { group: groupLabel(app, mainGroup) }) : app.t("Board"));
    show(locked, current.board_locked);
    const write = !readOnly && mayWriteBoard(app, current);
    show(noteForm, !readOnly && mayTakePart(app, current));
    show(clusterForm, write);
    addButton.disabled = !write;
    if (!anonymousTouched) anonymousBox.checked = Boolean(current.anonymous_notes);
    // Another view of the board (another tab's panel) may have sent or changed the draft.
    syncDraft(noteText, noteDraft);
    syncDraft(clusterTitle, clusterDraft);
    show(facilitate, !readOnly && app.canFacilitate() && !current.ended);
    if (withVoting) {
      status.update(current);
      admin.update(current);
      if (!current.voting.open) show(status.el, false); // the voting view tells the rest
    }

    // Notes this board shows: mine (the current board) and, in the plenary, the groups'.
    const groups = new Set();
    for (const note of Object.values(current.notes)) if (note.group) groups.add(note.group);
    for (const cluster of Object.values(current.clusters)) if (cluster.group) groups.add(cluster.group);
    const shownGroups = mainGroup === null ? sortGroups(groups) : [];
    const wanted = new Set();
    for (const [id, note] of Object.entries(current.notes)) {
      const group = note.group ?? null;
      if (group === mainGroup || shownGroups.includes(group)) wanted.add(id);
    }
    for (const id of [...noteViews.keys()]) if (!wanted.has(id)) noteViews.delete(id);
    for (const id of wanted) if (!noteViews.has(id)) noteViews.set(id, makeNote(ctx, id));

    const canvasMode = view === "canvas";
    listButton.setAttribute("aria-pressed", String(!canvasMode));
    canvasButton.setAttribute("aria-pressed", String(canvasMode));
    const mainEntries = notesOn(state, mainGroup);
    show(empty, mainEntries.length === 0);
    const mainByCluster = noteElsByCluster(mainEntries, { canvas: canvasMode });
    mainSections.update(current, mainByCluster, !canvasMode);
    show(canvas, canvasMode);
    place(canvas, canvasMode ? mainEntries.map(([id]) => noteViews.get(id).el) : []);

    for (const group of [...groupViews.keys()]) if (!shownGroups.includes(group)) groupViews.delete(group);
    const groupEls = shownGroups.map((group) => {
      let groupView = groupViews.get(group);
      if (!groupView) {
        groupView = makeGroupBoard(group);
        groupViews.set(group, groupView);
      }
      groupView.sections.update(current, noteElsByCluster(notesOn(state, group), { canvas: false }), true);
      return groupView.el;
    });
    place(groupsList, groupEls);
    show(groupsArea, groupEls.length > 0);

    // An element that moved (a note into another cluster) loses focus: give it back.
    if (active && active !== document.activeElement && active.isConnected && typeof active.focus === "function") {
      active.focus({ preventScroll: true });
    }
  }

  return { update };
}

function syncDraft(input, draft) {
  const text = draft.get() || "";
  if (document.activeElement !== input && input.value !== text) input.value = text;
}
