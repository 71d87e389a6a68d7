// The board: notes (private first, then revealed; anonymous or not), clusters, votes, moving
// notes by pointer and by keyboard. On a phone it is a list ordered by cluster; on a wide screen
// also a canvas with the notes where people put them. The list view is always one click away.
//
// Which board: my breakout group's while I am in one, else the plenary board; in the plenary the
// group boards follow, read-only in reading order, one section per group.

import { h, setText, show, uid } from "./dom.js";
import {
  act,
  byPlace,
  byTitle,
  clamp,
  feedbackLine,
  groupLabel,
  groupOf,
  mayTakePart,
  mayWriteBoard,
  own,
  place,
  round3,
  sortGroups,
  throttle,
} from "./toolkit.js";
import { voteControl, votingAdmin, votingStatus } from "./voting.js";

const NARROW = "(max-width: 47.99rem)";
const STEP = 0.02; // one arrow key press: 2 % of the board
const BIG_STEP = 0.1; // with Shift
const NOTE_WIDTH_REM = 12; // as .board-canvas .note in tools.css
const NOTE_ROOM_REM = 12; // room kept below the lowest note (as tall as a note)
const KEY_SEND_DELAY = 400; // ms after the last arrow key before the move is sent

const heading_ = (level) => `h${Math.min(6, level)}`;
// List or canvas, as chosen on this page (every board on the page follows the choice).
let preferredView = null;

/**
 * Where a new note goes: the first free place of a grid, starting at a place of its own per
 * person, so that notes others cannot see yet (private ones) seldom end up on top of each other.
 */
function freeSpot(entries, me) {
  let hash = 0;
  for (const char of String(me)) hash = (hash * 31 + char.charCodeAt(0)) % 65521;
  // A small shift of its own per person: two notes on one place still both show their text.
  const shiftX = (hash % 3) * 0.03;
  const shiftY = (Math.floor(hash / 3) % 3) * 0.04;
  const slots = [];
  for (let row = 0; row < 5; row += 1) {
    for (let column = 0; column < 4; column += 1) {
      slots.push({ x: round3(0.01 + column * 0.31 + shiftX), y: round3(0.01 + row * 0.22 + shiftY) });
    }
  }
  const start = hash % slots.length;
  for (let i = 0; i < slots.length; i += 1) {
    const slot = slots[(start + i) % slots.length];
    const taken = entries.some(([, note]) => Math.abs(note.x - slot.x) < 0.2 && Math.abs(note.y - slot.y) < 0.15);
    if (!taken) return slot;
  }
  return { x: round3(Math.random() * 0.9), y: round3(Math.random() * 0.9) };
}

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
  const heading = h(heading_(level), { class: "board-heading" }, app.t("Board"));
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
    const spot = freeSpot(notesOn(mainGroup), app.me);
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
  const mainSections = makeSections(() => mainGroup, level + 1);
  const groupsHeading = h(heading_(level + 1), {}, app.t("Boards of the groups"));
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
  const signalDrag = throttle((id, x, y) => app.signal && app.signal("dragging", id, x, y), 150);

  function notesOn(group) {
    if (!state) return [];
    return Object.entries(state.notes)
      .filter(([, note]) => (note.group ?? null) === group)
      .sort(byPlace);
  }

  function clustersOf(group) {
    return Object.entries(state.clusters)
      .filter(([, cluster]) => (cluster.group ?? null) === group)
      .sort(byTitle);
  }

  function makeNote(id) {
    const textId = uid("note");
    const text = h("p", { class: "note-text", id: textId });
    const author = h("span", { class: "note-author" });
    const badge = h("span", { class: "note-badge" }, app.t("Only visible to you"));
    const votes = voteControl(app, id, feedback, textId);
    const editDraft = app.draft(`board.edit.${id}`);
    const editText = h("textarea", { rows: 3, maxLength: 500, oninput: () => editDraft.set(editText.value) });
    const editLabelId = uid("edit");
    editText.id = editLabelId;
    const editForm = h(
      "form",
      {
        class: "note-edit",
        hidden: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const value = editText.value.trim();
          if (!value) {
            setText(feedback, app.t("Write something first."));
            return;
          }
          if (await act(app, feedback, "note.edit", { note: id, text: value })) {
            editDraft.clear();
            closeEdit();
            editButton.focus();
          }
        },
      },
      h("label", { for: editLabelId }, app.t("Change the note")),
      editText,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "small" }, app.t("Save")),
        h(
          "button",
          {
            type: "button",
            class: "secondary small",
            onclick: () => {
              editDraft.clear();
              closeEdit();
              editButton.focus();
            },
          },
          app.t("Cancel"),
        ),
      ),
    );
    const closeEdit = () => {
      editForm.hidden = true;
      text.hidden = false;
    };
    const editButton = h(
      "button",
      {
        type: "button",
        class: "note-edit-button secondary small",
        "aria-describedby": textId,
        onclick: () => {
          const note = own(state.notes, id);
          if (!note) return;
          editText.value = editDraft.get() || note.text;
          editForm.hidden = false;
          text.hidden = true;
          editText.focus();
        },
      },
      app.t("Edit"),
    );
    const deleteButton = h(
      "button",
      {
        type: "button",
        class: "note-delete secondary small",
        "aria-describedby": textId,
        onclick: () =>
          act(app, feedback, "note.delete", { note: id }).then((ok) => ok && app.announce(app.t("Note deleted."))),
      },
      app.t("Delete"),
    );
    const moveButton = h(
      "button",
      {
        type: "button",
        class: "note-move secondary small",
        "aria-describedby": `${textId} ${moveHintId}`,
        onkeydown: (event) => keyMove(event),
        onclick: () => app.announce(app.t("Use the arrow keys to move the note; with Shift it moves further.")),
      },
      app.t("Move"),
    );
    const clusterId = uid("cluster-of");
    const clusterSelect = h("select", {
      id: clusterId,
      class: "note-cluster",
      onchange: () => {
        const cluster = clusterSelect.value || null;
        act(app, feedback, "note.cluster", { note: id, cluster }).then((ok) => {
          if (!ok) view_.update(state, own(state.notes, id));
        });
      },
    });
    const clusterField = h("span", { class: "note-cluster-field" }, h("label", { for: clusterId }, app.t("Cluster")), clusterSelect);
    const actions = h("div", { class: "note-actions" }, moveButton, editButton, deleteButton, clusterField);
    const el = h(
      "li",
      { class: "note", "data-note": id },
      text,
      editForm,
      h("p", { class: "note-meta" }, author, badge),
      votes.el,
      actions,
    );
    if (editDraft.get()) {
      // A change typed before a reload is still there.
      editText.value = editDraft.get();
      editForm.hidden = false;
      text.hidden = true;
    }

    let local = null; // {x, y} while this browser moves the note and the server has not said so
    let remote = null; // a timer while someone else drags it
    let sendTimer = null;
    let optionsKey = "";

    function position(x, y) {
      el.style.left = `calc(${x} * (100% - ${NOTE_WIDTH_REM}rem))`;
      el.style.top = `calc(${y} * (100% - ${NOTE_ROOM_REM}rem))`;
    }

    function sendMove() {
      if (!local) return;
      const { x, y } = local;
      act(app, feedback, "note.move", { note: id, x, y }).then(() => {
        if (local && local.x === x && local.y === y) local = null;
        const note = state && own(state.notes, id);
        if (note && !local) view_.update(state, note);
      });
    }

    function keyMove(event) {
      const deltas = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const delta = deltas[event.key];
      const note = own(state.notes, id);
      if (!delta || !note || !view_.canMove) return;
      event.preventDefault();
      const step = event.shiftKey ? BIG_STEP : STEP;
      const from = local || { x: note.x, y: note.y };
      local = { x: round3(clamp(from.x + delta[0] * step)), y: round3(clamp(from.y + delta[1] * step)) };
      position(local.x, local.y);
      clearTimeout(sendTimer);
      sendTimer = setTimeout(sendMove, KEY_SEND_DELAY);
    }

    // Dragging with a pointer (mouse, pen, finger) on the canvas.
    let drag = null;
    el.addEventListener("pointerdown", (event) => {
      if (!view_.canMove || event.button !== 0) return;
      if (event.target.closest("button, select, textarea, input, a, label")) return;
      const box = canvas.getBoundingClientRect();
      const noteBox = el.getBoundingClientRect();
      const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      drag = {
        box,
        dx: event.clientX - noteBox.left,
        dy: event.clientY - noteBox.top,
        width: Math.max(1, box.width - NOTE_WIDTH_REM * rem),
        height: Math.max(1, box.height - NOTE_ROOM_REM * rem),
      };
      el.setPointerCapture(event.pointerId);
      el.classList.add("note-dragging");
      event.preventDefault();
    });
    el.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const x = round3(clamp((event.clientX - drag.box.left - drag.dx) / drag.width));
      const y = round3(clamp((event.clientY - drag.box.top - drag.dy) / drag.height));
      local = { x, y };
      position(x, y);
      const note = own(state.notes, id);
      // Never for private or anonymous notes: the signal says who drags (docs/protocol.md §10).
      if (note && !note.private && !note.anonymous) signalDrag(id, x, y);
    });
    const endDrag = (event, keep) => {
      if (!drag) return;
      drag = null;
      el.classList.remove("note-dragging");
      if (el.hasPointerCapture(event.pointerId)) el.releasePointerCapture(event.pointerId);
      if (keep && local) sendMove();
      else {
        local = null;
        view_.update(state, own(state.notes, id));
      }
    };
    el.addEventListener("pointerup", (event) => endDrag(event, true));
    el.addEventListener("pointercancel", (event) => endDrag(event, false));

    const view_ = {
      el,
      canMove: false,
      showRemote(x, y) {
        if (local) return;
        position(x, y);
        el.classList.add("note-moving");
        clearTimeout(remote);
        remote = setTimeout(() => {
          remote = null;
          el.classList.remove("note-moving");
          const note = state && own(state.notes, id);
          if (note) view_.update(state, note);
        }, 1500);
      },
      update(current, note, where = {}) {
        if (!note) return;
        const mine = note.author === app.me && note.author !== null;
        const write = !readOnly && mayWriteBoard(app, current);
        setText(text, note.text);
        if (mine) setText(author, note.anonymous ? app.t("You (without your name for others)") : app.t("You"));
        else if (note.anonymous || note.author === null) setText(author, app.t("Anonymous"));
        else setText(author, app.nameOf(note.author));
        show(badge, note.private);
        el.classList.toggle("note-private", Boolean(note.private));
        el.classList.toggle("note-mine", mine);
        el.dataset.x = String(note.x);
        el.dataset.y = String(note.y);
        show(editButton, write && mine);
        show(deleteButton, write && (mine || app.canFacilitate()));
        view_.canMove = write && Boolean(where.canvas);
        show(moveButton, view_.canMove);
        if (where.canvas) {
          if (!local && !remote) position(note.x, note.y);
        } else {
          el.style.left = "";
          el.style.top = "";
        }
        // The cluster choice: clusters of the note's own board.
        const clusters = clustersOf(note.group ?? null);
        show(clusterField, write && !note.private && clusters.length > 0);
        const key = clusters.map(([cid, c]) => `${cid}\u0000${c.title}`).join("\u0001");
        if (key !== optionsKey) {
          optionsKey = key;
          clusterSelect.replaceChildren(
            h("option", { value: "" }, app.t("No cluster")),
            ...clusters.map(([cid, c]) => h("option", { value: cid }, c.title)),
          );
        }
        const chosen = note.cluster && own(current.clusters, note.cluster) ? note.cluster : "";
        if (clusterSelect.value !== chosen) clusterSelect.value = chosen;
        if (!note.private) votes.update(current);
        else show(votes.el, false);
      },
    };
    return view_;
  }

  if (app.onSignal) {
    app.onSignal((signal) => {
      if (!signal || signal.kind !== "dragging" || view !== "canvas") return;
      const noteView = noteViews.get(signal.ref);
      if (noteView && signal.x !== null && signal.y !== null) noteView.showRemote(signal.x, signal.y);
    });
  }

  // Cluster sections ----------------------------------------------------------------------
  // One board's notes by cluster: a section per cluster (title, votes, rename) and one for the
  // notes in no cluster. `groupOfBoard()` says whose board it is.
  function makeSections(groupOfBoard, headingLevel) {
    const views = new Map();
    const noneHeading = h(heading_(headingLevel), { class: "cluster-title" }, app.t("Not in a cluster"));
    const noneList = h("ul", { class: "notes" });
    const none = h("section", { class: "cluster cluster-none" }, noneHeading, noneList);
    const el = h("div", { class: "board-sections" });

    function makeCluster(cid) {
      const titleId = uid("cluster");
      const title = h(heading_(headingLevel), { class: "cluster-title", id: titleId });
      const votes = voteControl(app, cid, feedback, titleId);
      const renameDraft = app.draft(`board.rename.${cid}`);
      const renameId = uid("rename");
      const renameInput = h("input", {
        id: renameId,
        type: "text",
        maxLength: 120,
        oninput: () => renameDraft.set(renameInput.value),
      });
      const renameForm = h(
        "form",
        {
          class: "cluster-rename",
          hidden: true,
          onsubmit: async (event) => {
            event.preventDefault();
            const value = renameInput.value.trim();
            if (!value) return;
            if (await act(app, feedback, "cluster.rename", { cluster: cid, title: value })) {
              renameDraft.clear();
              renameForm.hidden = true;
              renameButton.focus();
            }
          },
        },
        h("label", { for: renameId }, app.t("New title")),
        h(
          "div",
          { class: "inline-field" },
          renameInput,
          h("button", { type: "submit", class: "small" }, app.t("Save")),
          h(
            "button",
            {
              type: "button",
              class: "secondary small",
              onclick: () => {
                renameDraft.clear();
                renameForm.hidden = true;
                renameButton.focus();
              },
            },
            app.t("Cancel"),
          ),
        ),
      );
      const renameButton = h(
        "button",
        {
          type: "button",
          class: "cluster-rename-button secondary small",
          "aria-describedby": titleId,
          onclick: () => {
            const cluster = own(state.clusters, cid);
            renameInput.value = renameDraft.get() || (cluster ? cluster.title : "");
            renameForm.hidden = false;
            renameInput.focus();
          },
        },
        app.t("Rename"),
      );
      const list = h("ul", { class: "notes" });
      const count = h("span", { class: "cluster-count" });
      const sectionEl = h(
        "section",
        { class: "cluster", "data-cluster": cid },
        h("div", { class: "cluster-head" }, title, count, votes.el, renameButton),
        renameForm,
        list,
      );
      return {
        el: sectionEl,
        update(current, cluster, noteEls, listMode, total) {
          setText(title, cluster.title);
          setText(count, app.t("Notes: {n}", { n: total }));
          votes.update(current);
          show(renameButton, !readOnly && mayWriteBoard(app, current));
          place(list, listMode ? noteEls : []);
          show(list, listMode);
        },
      };
    }

    return {
      el,
      update(current, byCluster, listMode) {
        const clusters = clustersOf(groupOfBoard());
        const els = [];
        const seen = new Set();
        for (const [cid, cluster] of clusters) {
          seen.add(cid);
          let clusterView = views.get(cid);
          if (!clusterView) {
            clusterView = makeCluster(cid);
            views.set(cid, clusterView);
          }
          const noteEls = byCluster.get(cid) || [];
          clusterView.update(current, cluster, noteEls, listMode, noteEls.length);
          els.push(clusterView.el);
        }
        for (const cid of [...views.keys()]) if (!seen.has(cid)) views.delete(cid);
        const loose = byCluster.get(null) || [];
        place(noneList, listMode ? loose : []);
        show(noneHeading, clusters.length > 0);
        if (listMode && loose.length > 0) els.push(none);
        place(el, els);
      },
    };
  }

  // Group boards in the plenary -----------------------------------------------------------
  function makeGroupBoard(group) {
    const title = h(heading_(level + 2), {}, groupLabel(app, group));
    const sections = makeSections(() => group, level + 3);
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
    for (const id of wanted) if (!noteViews.has(id)) noteViews.set(id, makeNote(id));

    const canvasMode = view === "canvas";
    listButton.setAttribute("aria-pressed", String(!canvasMode));
    canvasButton.setAttribute("aria-pressed", String(canvasMode));
    const mainEntries = notesOn(mainGroup);
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
      groupView.sections.update(current, noteElsByCluster(notesOn(group), { canvas: false }), true);
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
