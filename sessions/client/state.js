// The session's state in the browser: a fold over the events this reader receives.
//
// This mirrors sessions/state.py `apply`, event by event, and must stay exactly in step with
// it: tests/browser/test_state_parity.py folds generated logs, as each reader sees them
// (sessions/views.py), here in Chromium and compares the result with the server's welcome
// snapshot. Change both files together; the parity test fails when they drift apart.
//
// The state is plain JSON data of the same shape as the welcome `state` (docs/protocol.md §2),
// so a snapshot can replace it and tools can read it directly. Rules that carry over from the
// server's fold:
// - every event sets `seq`, also `hidden` stand-ins and types this client does not know;
// - a reference the state lacks (a note this reader cannot see, say) is ignored, never thrown;
// - objects are keyed by server-made ids; look them up with `has`/`get`, never with `in` or
//   `obj[id]` alone, so that an id such as "constructor" is not found on Object.prototype;
// - nothing in the state shares an object or array with an event or a snapshot, so folding
//   never changes what was passed in.
// Do not rely on the key order of `notes`, `clusters` etc. for display: JavaScript puts
// integer-like keys first; sort by something meaningful instead.

/** The state of a session before its first event (sessions/state.py `State()`). */
export function emptyState() {
  return {
    seq: 0,
    title: "",
    phases: [],
    goals: [],
    modality: "online",
    capacity: null,
    breakout_size: 4,
    anonymous_notes: false,
    asynchronous: false,
    region: null,
    theme: null,
    video_url: null,
    phase: null, // index of the current phase; null before the start
    ends_at: null, // server time the running phase ends
    remaining: null, // seconds left while paused
    ended: false,
    people: {},
    notes: {},
    clusters: {},
    board_locked: false,
    voting: emptyVoting(),
    round: { order: [], current: null, passed: [] },
    chart: {
      x_low: "individueel",
      x_high: "collectief",
      y_low: "formeel",
      y_high: "informeel",
      markers: {},
      revealed: false,
    },
    chat: [],
    hands: [], // participants, first raised first
    breakouts: { open: false, mode: "random", groups: {}, messages: [] },
  };
}

/** A state from a welcome snapshot: a deep copy, with any field it lacks at its default. */
export function fromSnapshot(snapshot) {
  const copy = structuredClone(snapshot);
  const empty = emptyState();
  const state = { ...empty, ...copy };
  // The nested records too, so a snapshot from an older server still folds.
  for (const key of ["voting", "round", "chart", "breakouts"]) {
    state[key] = { ...empty[key], ...copy[key] };
  }
  state.phases = (state.phases ?? []).map(phase);
  return state;
}

/** Change the state by one event `{seq, actor, at, body}`, in place; returns the state. */
export function applyEvent(state, event) {
  state.seq = event.seq;
  const handler = get(HANDLERS, event.body.type);
  if (handler !== undefined) {
    handler(state, event, event.body);
  }
  return state;
}

/** Apply events in order; returns the state. */
export function applyEvents(state, events) {
  for (const event of events) {
    applyEvent(state, event);
  }
  return state;
}

// Session and people ------------------------------------------------------------------------

function sessionCreated(state, event, body) {
  state.title = body.title;
  state.phases = body.phases.map(phase);
  state.goals = [...body.goals];
  state.modality = body.modality;
  state.capacity = body.capacity;
  state.breakout_size = body.breakout_size;
  state.anonymous_notes = body.anonymous_notes;
  state.asynchronous = body.asynchronous;
  // Fields added after the first release default as they do in sessions/events.py.
  state.region = body.region ?? null;
  state.theme = body.theme ?? null;
  state.video_url = body.video_url ?? null;
}

function participantJoined(state, event, body) {
  // Joining again (the same account) starts afresh, also when that person had been removed.
  state.people[body.participant] = {
    name: body.name,
    role: body.role,
    location: body.location,
    removed: false,
  };
}

function participantRenamed(state, event, body) {
  const person = get(state.people, body.participant);
  if (person !== undefined) person.name = body.name;
}

function participantMoved(state, event, body) {
  const person = get(state.people, body.participant);
  if (person !== undefined) person.location = body.location;
}

function participantRemoved(state, event, body) {
  const person = get(state.people, body.participant);
  if (person !== undefined) person.removed = true;
  // Their hand goes down; they stay in round orders and breakout groups.
  removeFirst(state.hands, body.participant);
}

function roleChanged(state, event, body) {
  const person = get(state.people, body.participant);
  if (person !== undefined) person.role = body.role;
}

function videoSet(state, event, body) {
  state.video_url = body.url;
}

// Agenda and time ---------------------------------------------------------------------------

function agendaSet(state, event, body) {
  state.phases = body.phases.map(phase);
  // A current phase past the new end becomes the last one; the timer is left as it is.
  if (state.phase !== null && state.phase >= state.phases.length) {
    state.phase = state.phases.length > 0 ? state.phases.length - 1 : null;
  }
}

function phaseStarted(state, event, body) {
  state.phase = body.index;
  state.ends_at = body.ends_at;
  state.remaining = null;
}

function phasePaused(state, event, body) {
  state.ends_at = null;
  state.remaining = body.remaining;
}

function phaseResumed(state, event, body) {
  state.ends_at = body.ends_at;
  state.remaining = null;
}

function phaseExtended(state, event, body) {
  // One of the two is null: ends_at while running, remaining while paused.
  state.ends_at = body.ends_at;
  state.remaining = body.remaining;
}

function sessionEnded(state, event, body) {
  state.ended = true;
  state.ends_at = null;
  state.remaining = null;
}

// Board -------------------------------------------------------------------------------------

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

// Voting ------------------------------------------------------------------------------------

function votingOpened(state, event, body) {
  // A new vote clears every earlier vote, also when one is still open.
  state.voting = { ...emptyVoting(), open: true, budget: body.budget, hidden: body.hidden };
}

function voteCast(state, event, body) {
  const voting = state.voting;
  // Votes reach others without an actor: only this reader's own votes fill `ballots`.
  if (event.actor !== null) {
    if (!has(voting.ballots, event.actor)) voting.ballots[event.actor] = {};
    const ballot = voting.ballots[event.actor];
    addCount(ballot, body.target, body.count);
    if (Object.keys(ballot).length === 0) delete voting.ballots[event.actor];
  }
  addCount(voting.tally, body.target, body.count);
}

function votingClosed(state, event, body) {
  state.voting.open = false;
}

function votesRevealed(state, event, body) {
  state.voting.revealed = true;
  state.voting.tally = { ...body.tally };
}

// Rounds ------------------------------------------------------------------------------------

function roundStarted(state, event, body) {
  state.round = {
    order: [...body.order],
    current: body.order.length > 0 ? 0 : null,
    passed: [],
  };
}

function roundAdvanced(state, event, body) {
  const round = state.round;
  if (body.passed && round.current !== null && round.current < round.order.length) {
    round.passed.push(round.order[round.current]);
  }
  round.current = body.current; // null: the round is over
}

function roundEnded(state, event, body) {
  state.round.current = null;
}

// Positioning chart -------------------------------------------------------------------------

function chartConfigured(state, event, body) {
  state.chart.x_low = body.x_low;
  state.chart.x_high = body.x_high;
  state.chart.y_low = body.y_low;
  state.chart.y_high = body.y_high;
}

function markerPlaced(state, event, body) {
  // Before the reveal only the owner receives this (others get `hidden`); after it, others
  // receive it without an actor, so `owner` stays null for them.
  state.chart.markers[body.marker] = {
    owner: event.actor,
    kind: body.kind,
    x: body.x,
    y: body.y,
  };
}

function chartRevealed(state, event, body) {
  const chart = state.chart;
  chart.revealed = true;
  for (const [id, [kind, x, y]] of Object.entries(body.markers)) {
    const known = get(chart.markers, id);
    // The event is anonymous: an owner is known only to whoever knew it before (the owner).
    const owner = known !== undefined ? known.owner : null;
    chart.markers[id] = { owner, kind, x, y };
  }
}

// Chat and hands ----------------------------------------------------------------------------

/** Who may read a chat message posted now (as sessions/state.py chat_readers): a breakout
 * group's message is for the group, whoever facilitates and its author; null for everyone. */
function chatReaders(state, author, group) {
  if (group === null || group === undefined) return null;
  const readers = new Set(get(state.breakouts.groups, group) || []);
  for (const [id, person] of Object.entries(state.people)) {
    if ((person.role === "facilitator" || person.role === "co-facilitator") && !person.removed) {
      readers.add(id);
    }
  }
  if (author) readers.add(author);
  return [...readers].sort();
}

function chatPosted(state, event, body) {
  // A log from before events named their readers: the same rule, on the state it was posted in.
  const to = Array.isArray(body.to) ? [...body.to] : chatReaders(state, event.actor, body.group);
  state.chat.push({ author: event.actor, text: body.text, at: event.at, group: body.group, to: to && to.length ? to : null });
}

function handRaised(state, event, body) {
  if (event.actor !== null && !state.hands.includes(event.actor)) {
    state.hands.push(event.actor);
  }
}

function handLowered(state, event, body) {
  removeFirst(state.hands, body.participant);
}

// Breakouts ---------------------------------------------------------------------------------

function breakoutsOpened(state, event, body) {
  const groups = {};
  for (const [id, members] of Object.entries(body.groups)) {
    groups[id] = [...members];
  }
  state.breakouts = { open: true, mode: body.mode, groups, messages: [] };
}

function breakoutChosen(state, event, body) {
  if (event.actor === null) return;
  const groups = state.breakouts.groups;
  for (const members of Object.values(groups)) {
    removeFirst(members, event.actor);
  }
  // A group this reader did not know yet is made (as Python's setdefault does).
  if (!has(groups, body.group)) groups[body.group] = [];
  groups[body.group].push(event.actor);
}

function breakoutsMessaged(state, event, body) {
  state.breakouts.messages.push(body.text);
}

function breakoutsClosed(state, event, body) {
  state.breakouts.open = false; // the groups are kept
}

// One handler per event type; `hidden` and unknown types only set `seq` (in applyEvent).
const HANDLERS = {
  "session.created": sessionCreated,
  "participant.joined": participantJoined,
  "participant.renamed": participantRenamed,
  "participant.moved": participantMoved,
  "participant.removed": participantRemoved,
  "role.changed": roleChanged,
  "video.set": videoSet,
  "agenda.set": agendaSet,
  "phase.started": phaseStarted,
  "phase.paused": phasePaused,
  "phase.resumed": phaseResumed,
  "phase.extended": phaseExtended,
  "session.ended": sessionEnded,
  "note.added": noteAdded,
  "note.edited": noteEdited,
  "note.moved": noteMoved,
  "note.deleted": noteDeleted,
  "notes.revealed": notesRevealed,
  "cluster.created": clusterCreated,
  "cluster.renamed": clusterRenamed,
  "note.clustered": noteClustered,
  "board.locked": boardLocked,
  "voting.opened": votingOpened,
  "vote.cast": voteCast,
  "voting.closed": votingClosed,
  "votes.revealed": votesRevealed,
  "round.started": roundStarted,
  "round.advanced": roundAdvanced,
  "round.ended": roundEnded,
  "chart.configured": chartConfigured,
  "marker.placed": markerPlaced,
  "chart.revealed": chartRevealed,
  "chat.posted": chatPosted,
  "hand.raised": handRaised,
  "hand.lowered": handLowered,
  "breakouts.opened": breakoutsOpened,
  "breakout.chosen": breakoutChosen,
  "breakouts.messaged": breakoutsMessaged,
  "breakouts.closed": breakoutsClosed,
};

// Helpers -----------------------------------------------------------------------------------

function emptyVoting() {
  return { open: false, budget: 0, hidden: false, revealed: false, ballots: {}, tally: {} };
}

/** An agenda phase, copied, with the defaults of sessions/events.py AgendaPhase. */
function phase(p) {
  return { purpose: "", instructions: "", until: null, ...p };
}

/** Add to a count; an entry that reaches zero (or less) is removed, as in the server's fold. */
function addCount(counts, key, count) {
  const total = (get(counts, key) ?? 0) + count;
  if (total <= 0) {
    delete counts[key];
  } else {
    counts[key] = total;
  }
}

function dropTarget(voting, target) {
  delete voting.tally[target];
  for (const [voter, ballot] of Object.entries(voting.ballots)) {
    delete ballot[target];
    if (Object.keys(ballot).length === 0) delete voting.ballots[voter];
  }
}

/** Remove the first occurrence only, like Python's list.remove. */
function removeFirst(list, item) {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}

function has(object, key) {
  return Object.hasOwn(object, key);
}

function get(object, key) {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
