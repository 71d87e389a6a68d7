// The board: notes (private until revealed, anonymous if asked), clusters, the lock.

import { N_ } from "../i18n.js";
import { get } from "../fold.js";
import { dropTarget } from "./voting.js";

function noteAdded(state, event, body) {
  state.notes[body.note] = {
    author: event.actor, // null when the note is anonymous and not this reader's
    text: body.text,
    x: body.x,
    y: body.y,
    anonymous: body.anonymous,
    private: body.private,
    group: body.group,
    cluster: null,
  };
}

function noteEdited(state, event, body) {
  const note = get(state.notes, body.note);
  if (note !== undefined) note.text = body.text;
}

function noteMoved(state, event, body) {
  const note = get(state.notes, body.note);
  if (note !== undefined) {
    note.x = body.x;
    note.y = body.y;
  }
}

function noteDeleted(state, event, body) {
  delete state.notes[body.note];
  // Votes on a deleted note are dropped, from the tally and from the ballots.
  dropTarget(state.voting, body.note);
}

function notesRevealed(state, event, body) {
  for (const [id, revealed] of Object.entries(body.notes)) {
    const known = get(state.notes, id);
    state.notes[id] = {
      // Whoever knew the author (the author themselves) keeps knowing; the event itself
      // names no author for anonymous notes.
      author: known !== undefined ? known.author : revealed.author,
      text: revealed.text,
      x: revealed.x,
      y: revealed.y,
      anonymous: revealed.anonymous,
      private: false,
      group: revealed.group,
      cluster: revealed.cluster,
    };
  }
}

function clusterCreated(state, event, body) {
  state.clusters[body.cluster] = { title: body.title, group: body.group };
}

function clusterRenamed(state, event, body) {
  const cluster = get(state.clusters, body.cluster);
  if (cluster !== undefined) cluster.title = body.title;
}

function noteClustered(state, event, body) {
  const note = get(state.notes, body.note);
  if (note !== undefined) note.cluster = body.cluster; // null: out of its cluster
}

function boardLocked(state, event, body) {
  state.board_locked = body.locked;
}

export default {
  name: "board",
  agenda: { key: "board", label: N_("Board") },
  view: () => import("./board/view.js"),
  initial: () => ({ notes: {}, clusters: {}, board_locked: false }),
  fold: {
    "note.added": noteAdded,
    "note.edited": noteEdited,
    "note.moved": noteMoved,
    "note.deleted": noteDeleted,
    "notes.revealed": notesRevealed,
    "cluster.created": clusterCreated,
    "cluster.renamed": clusterRenamed,
    "note.clustered": noteClustered,
    "board.locked": boardLocked,
  },
};
