// Small pure helpers the tools' fold handlers share (tools/*.js); see state.js for the rules
// every handler keeps (objects keyed by server-made ids are read with `has`/`get`).

/** An agenda phase, copied, with the defaults of sessions/events.py AgendaPhase. */
export function phase(p) {
  return { purpose: "", instructions: "", until: null, guidance: "", ...p };
}

/** Add to a count; an entry that reaches zero (or less) is removed, as in the server's fold. */
export function addCount(counts, key, count) {
  const total = (get(counts, key) ?? 0) + count;
  if (total <= 0) {
    delete counts[key];
  } else {
    counts[key] = total;
  }
}

/** Remove the first occurrence only, like Python's list.remove. */
export function removeFirst(list, item) {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}

export function has(object, key) {
  return Object.hasOwn(object, key);
}

export function get(object, key) {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
