// A note card: its text, author, votes, edit and delete, its cluster, and moving it on the
// canvas by keyboard (arrow keys) and by pointer (others see it move through signals).

import { h, setText, show, uid } from "../../dom.js";
import { act, clamp, mayWriteBoard, own, round3 } from "../../toolkit.js";
import { voteControl } from "../voting/view.js";
import { BIG_STEP, NOTE_ROOM_REM, NOTE_WIDTH_REM, STEP, clustersOf } from "./layout.js";

const KEY_SEND_DELAY = 400; // ms after the last arrow key before the move is sent

/**
 * The card of note `id`, as `{el, canMove, showRemote(x, y), update(state, note, where)}`.
 * `ctx` is what the board shares: `{app, feedback, readOnly, moveHintId, canvas, signalDrag,
 * state}` (the state as it is now).
 */
export function makeNote(ctx, id) {
  const { app, feedback, readOnly, moveHintId, canvas, signalDrag } = ctx;
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
        const note = own(ctx.state.notes, id);
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
        if (!ok) view_.update(ctx.state, own(ctx.state.notes, id));
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
      const note = ctx.state && own(ctx.state.notes, id);
      if (note && !local) view_.update(ctx.state, note);
    });
  }

  function keyMove(event) {
    const deltas = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const delta = deltas[event.key];
    const note = own(ctx.state.notes, id);
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
    const note = own(ctx.state.notes, id);
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
      view_.update(ctx.state, own(ctx.state.notes, id));
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
        const note = ctx.state && own(ctx.state.notes, id);
        if (note) view_.update(ctx.state, note);
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
      const clusters = clustersOf(ctx.state, note.group ?? null);
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
