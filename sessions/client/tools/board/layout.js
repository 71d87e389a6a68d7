// Where notes go on the board: the canvas's sizes and steps, a free spot for a new note, and
// the notes and clusters of one board (the plenary's or a breakout group's) in reading order.

import { byPlace, byTitle, round3 } from "../../toolkit.js";

export const STEP = 0.02; // one arrow key press: 2 % of the board
export const BIG_STEP = 0.1; // with Shift
export const NOTE_WIDTH_REM = 12; // as .board-canvas .note in board.css
export const NOTE_ROOM_REM = 12; // room kept below the lowest note (as tall as a note)

/** The heading element for a level, at most h6. */
export const headingTag = (level) => `h${Math.min(6, level)}`;

/**
 * Where a new note goes: the first free place of a grid, starting at a place of its own per
 * person, so that notes others cannot see yet (private ones) seldom end up on top of each other.
 */
export function freeSpot(entries, me) {
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

/** The notes on one board (`group` null: the plenary's), in reading order. */
export function notesOn(state, group) {
  if (!state) return [];
  return Object.entries(state.notes)
    .filter(([, note]) => (note.group ?? null) === group)
    .sort(byPlace);
}

/** The clusters of one board, by title. */
export function clustersOf(state, group) {
  return Object.entries(state.clusters)
    .filter(([, cluster]) => (cluster.group ?? null) === group)
    .sort(byTitle);
}
