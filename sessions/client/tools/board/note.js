// A note card: its text, author, votes (as dots too), edit and delete, its theme, and moving it
// on the canvas by keyboard (arrow keys) and by pointer (drag.js; others see it move through
// signals). Where a card is drawn is the board's work (arrange.js): the card only says where it
// wishes to be.

import { h, setText, show, uid } from "../../dom.js";
import { act, clamp, mayWriteBoard, own, round3 } from "../../toolkit.js";
import { voteControl } from "../voting/view.js";
import { dragCard } from "./drag.js";
import { BIG_STEP, STEP, clustersOf } from "./layout.js";
import { voteDots } from "./votes.js";

const KEY_SEND_DELAY = 400; // ms after the last arrow key before the move is sent

/**
 * The card of note `id`, as `{el, canMove, wish(), showRemote(x, y), update(state, note,
 * where)}`. `ctx` is what the board shares: `{app, feedback, readOnly, moveHintId, signalDrag,
 * relayout(), wishOf(box), dropTarget(x, y, card), state}` (the state as it is now).
 */
export function makeNote(ctx, id) {
  const { app, feedback, readOnly, moveHintId } = ctx;
  const textId = uid("note");
  const text = h("p", { class: "note-text", id: textId });
  const author = h("span", { class: "note-author" });
  const badge = h("span", { class: "note-badge" }, app.t("Only visible to you"));
  const votes = voteControl(app, id, feedback, textId);
  const dots = voteDots(app, id);
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
        const note = own(ctx.state.notes, id);
        if (!ok && note) clusterSelect.value = note.cluster || ""; // refused: back to what it is
      });
    },
  });
  const clusterField = h("div", { class: "note-cluster-field" }, h("label", { for: clusterId }, app.t("Cluster")), clusterSelect);
  const actions = h("div", { class: "note-actions" }, moveButton, editButton, deleteButton);
  const el = h(
    "li",
    { class: "note", "data-note": id },
    text,
    editForm,
    h("p", { class: "note-meta" }, author, badge),
    dots.el,
    votes.el,
    actions,
    clusterField,
  );
  if (editDraft.get()) {
    // A change typed before a reload is still there.
    editText.value = editDraft.get();
    editForm.hidden = false;
    text.hidden = true;
  }

  let local = null; // {x, y} while this browser moves the note and the server has not said so
  let remote = null; // {x, y} while someone else drags it
  let remoteTimer = null;
  let sendTimer = null;
  let optionsKey = "";

  function sendMove() {
    if (!local) return;
    const { x, y } = local;
    act(app, feedback, "note.move", { note: id, x, y }).then(() => {
      if (local && local.x === x && local.y === y) local = null;
      ctx.relayout();
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
    el.dataset.x = String(local.x);
    el.dataset.y = String(local.y);
    ctx.relayout();
    clearTimeout(sendTimer);
    sendTimer = setTimeout(sendMove, KEY_SEND_DELAY);
  }

  // Dropped by pointer: on a theme it joins the theme, on the free part it lies where dropped.
  async function dropped(target, box) {
    const note = own(ctx.state.notes, id);
    if (!note) return;
    if (target.theme !== undefined) {
      if (target.theme === note.cluster) return;
      if (note.private) {
        setText(feedback, app.t("A note that only you can see cannot go into a theme yet."));
        return;
      }
      if (await act(app, feedback, "note.cluster", { note: id, cluster: target.theme })) {
        app.announce(app.t("The note is in the theme now."));
      }
      return;
    }
    local = ctx.wishOf(box, el);
    el.dataset.x = String(local.x);
    el.dataset.y = String(local.y);
    ctx.relayout();
    if (note.cluster && !(await act(app, feedback, "note.cluster", { note: id, cluster: null }))) {
      local = null;
      ctx.relayout();
      return;
    }
    sendMove();
  }

  dragCard(el, {
    canDrag: () => view_.canDrag,
    target: (x, y) => ctx.dropTarget(x, y, el),
    moving(box) {
      const note = own(ctx.state.notes, id);
      // Never for private or anonymous notes: the signal says who drags (docs/protocol.md §10).
      if (note && !note.private && !note.anonymous) {
        const wish = ctx.wishOf(box, el);
        ctx.signalDrag(id, wish.x, wish.y);
      }
    },
    dropped,
  });

  const view_ = {
    el,
    canMove: false, // by arrow keys: a card on the free part of the canvas
    canDrag: false, // by pointer: any card on the canvas
    /** Where the card wishes to be on the free part: being moved here or by someone, or stored. */
    wish() {
      const note = own(ctx.state.notes, id);
      return local || remote || (note ? { x: note.x, y: note.y } : { x: 0, y: 0 });
    },
    showRemote(x, y) {
      if (local) return;
      remote = { x, y };
      el.classList.add("note-moving");
      ctx.relayout();
      clearTimeout(remoteTimer);
      remoteTimer = setTimeout(() => {
        remote = null;
        el.classList.remove("note-moving");
        ctx.relayout();
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
      if (!local) {
        el.dataset.x = String(note.x);
        el.dataset.y = String(note.y);
      }
      show(editButton, write && mine);
      show(deleteButton, write && (mine || app.canFacilitate()));
      view_.canDrag = write && Boolean(where.canvas);
      view_.canMove = view_.canDrag && Boolean(where.free);
      show(moveButton, view_.canMove);
      if (!where.free) {
        el.style.left = "";
        el.style.top = "";
      }
      // The theme choice (the keyboard's way into a theme): themes of the note's own board.
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
      if (!note.private) {
        votes.update(current);
        dots.update(current);
      } else {
        show(votes.el, false);
        show(dots.el, false);
      }
    },
  };
  return view_;
}
