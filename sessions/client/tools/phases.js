// The agenda and its time: which phase runs, when it ends, paused with how much left.

import { phase } from "../fold.js";

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

export default {
  name: "phases",
  initial: () => ({
    phase: null, // index of the current phase; null before the start
    ends_at: null, // server time the running phase ends
    remaining: null, // seconds left while paused
  }),
  fold: {
    "agenda.set": agendaSet,
    "phase.started": phaseStarted,
    "phase.paused": phasePaused,
    "phase.resumed": phaseResumed,
    "phase.extended": phaseExtended,
  },
};
