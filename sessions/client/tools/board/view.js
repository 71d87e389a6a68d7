// The board: notes (private first, then revealed; anonymous or not), themes (clusters in the
// code), votes, moving notes by pointer and by keyboard. On a wide screen a canvas: the themes
// drawn as areas with their cards inside, and below them the free part where cards lie where
// people put them, never on top of each other. On a phone a list by theme, with the note field
// first. The other view is always one click away.
//
// Which board: my breakout group's while I am in one, else the plenary board; in the plenary the
// group boards follow, read-only in reading order, one section per group. The parts: layout.js
// (where a new note wishes to go), arrange.js (drawing cards apart), note.js (a note card),
// drag.js (dragging a card), clusters.js (the theme areas), votes.js (dots and a theme's count);
// this module builds the board, its forms and its group boards, and updates them all.

import { h, setText, show, uid } from "../../dom.js";
import {
  act,
  feedbackLine,
  groupLabel,
  groupOf,
  mayTakePart,
  mayWriteBoard,
  own,
  place,
  sortGroups,
  throttle,
} from "../../toolkit.js";
import { votingAdmin, votingStatus } from "../voting/view.js";
import { makeSections } from "./clusters.js";
import { makeFreePart } from "./free.js";
import { freeSpot, headingTag, notesOn } from "./layout.js";
import { makeNote } from "./note.js";

const REVEAL_RECENT = 30; // seconds: a reveal caught up after a reconnect is not drawn again

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
  const hintId = uid("board-hint");
  const hint = h(
    "p",
    { class: "hint board-hint", id: hintId },
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
    "aria-describedby": hintId,
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
    hint,
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
    const spot = free.spotForNew(app.me) || freeSpot(notesOn(state, mainGroup), app.me);
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

  // The surface: the themes (areas) and, on the canvas, the free part for notes in no theme.
  const free = makeFreePart(app);
  const empty = h("p", { class: "hint board-empty" }, app.t("No notes yet."));
  // What the note cards and theme areas share with the board, the state as it is now too.
  const signalDrag = throttle((id, x, y) => app.signal && app.signal("dragging", id, x, y), 150);
  const ctx = {
    app,
    feedback,
    readOnly,
    moveHintId,
    signalDrag,
    get state() {
      return state;
    },
    relayout: () => free.arrange(),
    wishOf: (box) => free.wishOf(box),
    dropTarget,
  };
  const mainSections = makeSections(ctx, () => mainGroup, level + 1);
  const surface = h("div", { class: "board-surface" }, mainSections.el, free.el);
  const groupsHeading = h(headingTag(level + 1), {}, app.t("Boards of the groups"));
  const groupsList = h("div", { class: "group-board-list" });
  const groupsArea = h("div", { class: "group-boards" }, groupsHeading, groupsList);
  const groupViews = new Map();

  // The note field first: on a phone, placing a note is typing and one tap.
  const section = h(
    "section",
    { class: "tool tool-board" },
    heading,
    locked,
    readOnly ? null : noteForm,
    feedback,
    withVoting ? status.el : null,
    facilitate,
    readOnly ? null : clusterForm,
    viewSwitch,
    empty,
    surface,
    groupsArea,
    moveHint,
  );
  element.append(section);

  // Notes ---------------------------------------------------------------------------------
  const noteViews = new Map();

  /** What a card dropped at (x, y) lands on: a theme area of this board, the free part, or nothing. */
  function dropTarget(x, y, card) {
    for (const hit of document.elementsFromPoint(x, y)) {
      if (card.contains(hit)) continue;
      const area = hit.closest(".theme-area");
      if (area && mainSections.el.contains(area)) return { theme: area.dataset.cluster, el: area };
      if (free.list.contains(hit) && view === "canvas") return { free: true, el: free.list };
      if (surface.contains(hit)) return null;
    }
    return null;
  }

  // The facilitator's reveal: the notes that were private arrive calmly (board.css).
  const revealed = new Set();
  if (app.onEvents) {
    app.onEvents((events) => {
      const now = app.serverNow ? app.serverNow() : Date.now() / 1000;
      for (const event of events) {
        if (event.body.type !== "notes.revealed" || now - event.at > REVEAL_RECENT) continue;
        for (const id of Object.keys(event.body.notes)) revealed.add(id);
      }
    });
  }
  function drawReveals() {
    for (const id of revealed) {
      const card = noteViews.get(id);
      if (!card) continue;
      card.el.classList.add("note-revealed");
      card.el.addEventListener("animationend", () => card.el.classList.remove("note-revealed"), { once: true });
    }
    revealed.clear();
  }

  if (app.onSignal) {
    app.onSignal((signal) => {
      if (!signal || signal.kind !== "dragging" || view !== "canvas") return;
      const noteView = noteViews.get(signal.ref);
      if (noteView && signal.x !== null && signal.y !== null) noteView.showRemote(signal.x, signal.y);
    });
  }

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
  /** Theme id (null: none) -> [[note id, card]]; on the canvas the notes in no theme lie free. */
  function noteElsByCluster(entries, canvasMode) {
    const byCluster = new Map();
    for (const [id, note] of entries) {
      const noteView = noteViews.get(id);
      const cluster = note.cluster && own(state.clusters, note.cluster) ? note.cluster : null;
      noteView.update(state, note, { canvas: canvasMode, free: canvasMode && cluster === null });
      if (!byCluster.has(cluster)) byCluster.set(cluster, []);
      byCluster.get(cluster).push([id, noteView.el]);
    }
    return byCluster;
  }

  function update(current) {
    state = current;
    const active = document.activeElement;
    mainGroup = groupOf(current, app.me);
    setText(heading, mainGroup ? app.t("Board of {group}", { group: groupLabel(app, mainGroup) }) : app.t("Board"));
    show(locked, current.board_locked && !current.ended);
    const write = !readOnly && mayWriteBoard(app, current);
    // Once the session has ended nothing is written any more: no form, no hint about writing.
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
    for (const [id, card] of [...noteViews]) {
      if (wanted.has(id)) continue;
      noteViews.delete(id);
      free.forget(card.el);
    }
    for (const id of wanted) {
      if (noteViews.has(id)) continue;
      const card = makeNote(ctx, id);
      noteViews.set(id, card);
      free.observe(card.el); // an opened edit form makes a card taller
    }

    const canvasMode = view === "canvas";
    listButton.setAttribute("aria-pressed", String(!canvasMode));
    canvasButton.setAttribute("aria-pressed", String(canvasMode));
    const mainEntries = notesOn(state, mainGroup);
    show(empty, mainEntries.length === 0);
    const mainByCluster = noteElsByCluster(mainEntries, canvasMode);
    mainSections.update(current, mainByCluster, !canvasMode);
    surface.classList.toggle("board-canvas", canvasMode);
    surface.classList.toggle("board-list", !canvasMode);
    const loose = canvasMode ? mainByCluster.get(null) || [] : [];
    const themes = mainSections.el.childElementCount > 0;
    free.update(
      loose.map(([id]) => [id, noteViews.get(id)]),
      canvasMode,
      themes,
    );
    drawReveals();

    for (const group of [...groupViews.keys()]) if (!shownGroups.includes(group)) groupViews.delete(group);
    const groupEls = shownGroups.map((group) => {
      let groupView = groupViews.get(group);
      if (!groupView) {
        groupView = makeGroupBoard(group);
        groupViews.set(group, groupView);
      }
      groupView.sections.update(current, noteElsByCluster(notesOn(state, group), false), true);
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
