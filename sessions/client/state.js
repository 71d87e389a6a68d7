// The session's state in the browser: a fold over the events this reader receives.
//
// This mirrors sessions/state.py `apply`, event by event, and must stay exactly in step with
// it. The handlers are the tools' (tools/*.js, listed in tools/index.js), as the server's are
// its slices'; this module only composes them. tests/browser/test_state_parity.py folds
// generated logs, as each reader sees them (sessions/views.py), here in Chromium and compares
// the result with the server's welcome snapshot. Change both sides together; the parity test fails when they drift apart.
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

import { foldHandlers, initialState } from "./tools/index.js";
import { get, phase } from "./fold.js";

// One handler per event type, from the tools; `hidden` and unknown types only set `seq`.
const HANDLERS = foldHandlers();

/** The state of a session before its first event (sessions/state.py `State()`). */
export function emptyState() {
  return { seq: 0, ...initialState() };
}

/** A state from a welcome snapshot: a deep copy, with any field it lacks at its default. */
export function fromSnapshot(snapshot) {
  const copy = structuredClone(snapshot);
  const empty = emptyState();
  const state = { ...empty, ...copy };
  // The nested records too (voting, round, chart, breakouts: those with defaults of their
  // own), so a snapshot from an older server still folds.
  for (const [key, value] of Object.entries(empty)) {
    if (isRecord(value) && Object.keys(value).length > 0) state[key] = { ...value, ...copy[key] };
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

/** The event types this client folds (the completeness tests read them). */
export function foldedTypes() {
  return Object.keys(HANDLERS).sort();
}

function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
