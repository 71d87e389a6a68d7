// Where notes go on the board: the canvas's sizes and steps, a free spot for a new note, and
// the notes and clusters of one board (the plenary's or a breakout group's) in reading order.

import { byPlace, byTitle, round3 } from "../../toolkit.js";

export const STEP = 0.02; // one arrow key press: 2 % of the board
export const BIG_STEP = 0.1; // with Shift
// The free part of the canvas: a note's y of 0 to 1 is a wish within this height (the part
// grows when the cards need more room, see arrange.js).
export const FREE_HEIGHT_REM = 32;
export const NOTE_WIDTH_REM = 12; // as .board-free .note in board.css

/** A number of one's own, the same in every browser (where a person starts looking for room). */
export function personalNumber(me) {
  let hash = 0;
  for (const char of String(me)) hash = (hash * 31 + char.charCodeAt(0)) % 65521;
  return hash;
}

/** The heading element for a level, at most h6. */
export const headingTag = (level) => `h${Math.min(6, level)}`;

/**
 * Where a new note wishes to go when the canvas is not on screen (the list view; on the canvas
 * free.js looks for a gap among the cards as drawn): the first free place of a grid, starting at a place of its own
 * per person, so that notes others cannot see yet (private ones) seldom share a wish. A place
 * counts as taken when a note wishes to be anywhere within its cell. Wishes that still meet are
 * drawn apart by arrange.js.
 */
export function freeSpot(entries, me) {
  const hash = personalNumber(me);
  // A small shift of its own per person: two notes on one place still both show their text.
  const shiftX = (hash % 3) * 0.02;
  const shiftY = (Math.floor(hash / 3) % 3) * 0.03;
  const columns = 4;
  const rows = 4;
  const slots = [];
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < columns; column += 1) {
      slots.push({ x: round3(column / (columns - 1) - shiftX * Math.sign(column)), y: round3(row / (rows - 1) - shiftY * Math.sign(row)) });
    }
  }
  const start = hash % slots.length;
  for (let i = 0; i < slots.length; i += 1) {
    const slot = slots[(start + i) % slots.length];
    const taken = entries.some(
      ([, note]) => !note.cluster && Math.abs(note.x - slot.x) < 1 / columns && Math.abs(note.y - slot.y) < 1 / rows,
    );
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
