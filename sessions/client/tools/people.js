// Who takes part: joining, names, in the room or remote, removal, roles, and whether newcomers
// may still join. (Who is online is presence, not state: people.js shows both.)

import { get, removeFirst } from "../fold.js";

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

function joinsLocked(state, event, body) {
  state.joins_locked = body.locked;
}

export default {
  name: "people",
  initial: () => ({ people: {}, joins_locked: false }),
  fold: {
    "participant.joined": participantJoined,
    "participant.renamed": participantRenamed,
    "participant.moved": participantMoved,
    "participant.removed": participantRemoved,
    "role.changed": roleChanged,
    "joins.locked": joinsLocked,
  },
};
