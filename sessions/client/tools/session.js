// The session itself: what it was created with, its video link, its end.

import { phase } from "../fold.js";

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
  state.planned_minutes = body.planned_minutes ?? null;
}

function videoSet(state, event, body) {
  state.video_url = body.url;
}

function sessionEnded(state, event, body) {
  state.ended = true;
  state.ends_at = null;
  state.remaining = null;
}

export default {
  name: "session",
  initial: () => ({
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
    planned_minutes: null,
    ended: false,
  }),
  fold: {
    "session.created": sessionCreated,
    "video.set": videoSet,
    "session.ended": sessionEnded,
  },
};
