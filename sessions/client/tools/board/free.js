// The free part of the canvas: the cards in no theme, each where its note wishes to be (x, y
// from 0 to 1 in the state) and drawn apart from the others by arrange.js, for every viewer,
// whatever notes that viewer can see. It measures the cards, so it draws again when a card or
// the board changes size (an opened edit form, a narrower window).

import { h, show } from "../../dom.js";
import { clamp, place, round3 } from "../../toolkit.js";
import { GAP, arrange, fits } from "./arrange.js";
import { FREE_HEIGHT_REM, NOTE_WIDTH_REM, personalNumber } from "./layout.js";

const EMPTY_HEIGHT_REM = 8; // with no card on it: room enough to drop one
const NEW_CARD_HEIGHT_REM = 8; // about as tall as a short note with its buttons

function rem() {
  return Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
}

/**
 * The free part, as `{el, list, update(cards, visible, labelled), arrange(), wishOf(box),
 * spotForNew(me), observe(card), forget(card)}`.
 */
export function makeFreePart(app) {
  const label = h("p", { class: "board-free-label" }, app.t("Not in a cluster"));
  const list = h("ul", { class: "board-free", "aria-label": app.t("Notes on the canvas") });
  const el = h("div", { class: "board-free-part" }, label, list);
  // The order in which cards claim their place: first come, first served; a card whose wish
  // changes (it was moved) goes last, so that it yields and the cards it meets stay put.
  const claims = new Map(); // id -> {rank, x, y}
  let claimCount = 0;
  let cards = []; // [[id, card view]] in claim order
  let shown = false;
  const resized = typeof ResizeObserver === "function" ? new ResizeObserver(() => draw()) : null;
  if (resized) resized.observe(list);

  /** A card claims (again) when it is new or its wish changed: it goes last in the order. */
  function claim(id, card) {
    const wish = card.wish();
    const held = claims.get(id);
    if (!held || held.x !== wish.x || held.y !== wish.y) {
      claimCount += 1;
      claims.set(id, { rank: claimCount, x: wish.x, y: wish.y });
    }
  }

  /** Draw the cards where they wish to be, apart from each other. */
  function draw() {
    const width = list.clientWidth;
    if (!shown || width === 0) return; // not on screen: the resize observer calls when it is
    const room = FREE_HEIGHT_REM * rem();
    const boxes = cards.map(([id, card]) => {
      const wish = card.wish();
      const cardWidth = card.el.offsetWidth;
      const cardHeight = card.el.offsetHeight;
      return {
        id,
        width: cardWidth,
        height: cardHeight,
        left: wish.x * Math.max(0, width - cardWidth),
        top: wish.y * Math.max(0, room - cardHeight),
      };
    });
    const { places, height } = arrange(boxes, width);
    for (const [id, card] of cards) {
      const spot = places.get(id);
      card.el.style.left = `${spot.left}px`;
      card.el.style.top = `${spot.top}px`;
    }
    const least = cards.length > 0 ? room : EMPTY_HEIGHT_REM * rem();
    list.style.height = `${Math.max(least, height + GAP)}px`;
  }

  return {
    el,
    list,
    /**
     * Show `entries` (`[[id, card view]]`, reading order) on the free part, or hide it
     * (`visible` false: the list view). `labelled`: say what the part is (themes exist).
     */
    update(entries, visible, labelled) {
      shown = visible;
      show(el, visible);
      show(label, visible && labelled);
      const ids = new Set(entries.map(([id]) => id));
      for (const id of [...claims.keys()]) if (!ids.has(id)) claims.delete(id);
      for (const [id, card] of entries) claim(id, card);
      cards = visible ? [...entries].sort(([a], [b]) => claims.get(a).rank - claims.get(b).rank) : [];
      place(list, visible ? entries.map(([, card]) => card.el) : []);
      draw();
    },
    /** Draw again (a card's wish changed: moved by keys, or someone drags it). */
    arrange() {
      for (const [id, card] of cards) claim(id, card);
      cards.sort(([a], [b]) => claims.get(a).rank - claims.get(b).rank);
      draw();
    },
    /** The wish (x, y from 0 to 1) of a card with this box, were it dropped here. */
    wishOf(box) {
      const area = list.getBoundingClientRect();
      const room = FREE_HEIGHT_REM * rem();
      return {
        x: round3(clamp((box.left - area.left) / Math.max(1, area.width - box.width))),
        y: round3(clamp((box.top - area.top) / Math.max(1, room - box.height))),
      };
    },
    /**
     * Where a new note of `me` wishes to go, as this browser sees the free part: the first gap
     * in reading order where a card fits, in rows and columns, starting from a column of my
     * own (so that two people writing at once seldom pick the same gap). Null while the free
     * part is not on screen.
     */
    spotForNew(me) {
      const width = list.clientWidth;
      if (!shown || width === 0) return null;
      const unit = rem();
      const room = FREE_HEIGHT_REM * unit;
      const taken = cards.map(([, card]) => ({
        left: card.el.offsetLeft,
        top: card.el.offsetTop,
        width: card.el.offsetWidth,
        height: card.el.offsetHeight,
      }));
      // As tall as the cards here usually are (the middle one), or a short note's height.
      const heights = taken.map((box) => box.height).sort((a, b) => a - b);
      const usual = heights.length > 0 ? heights[Math.floor(heights.length / 2)] : 0;
      const size = { width: NOTE_WIDTH_REM * unit, height: Math.max(usual, NEW_CARD_HEIGHT_REM * unit) };
      const columns = Math.max(1, Math.floor((width + GAP) / (size.width + GAP)));
      const stepX = columns > 1 ? (width - size.width) / (columns - 1) : 0;
      const first = personalNumber(me) % columns;
      for (let row = 0; row < 200; row += 1) {
        for (let i = 0; i < columns; i += 1) {
          const box = { left: ((first + i) % columns) * stepX, top: row * (size.height + GAP), ...size };
          if (fits(box, taken)) {
            return {
              x: round3(clamp(box.left / Math.max(1, width - size.width))),
              y: round3(clamp(box.top / Math.max(1, room - size.height))),
            };
          }
        }
      }
      return null;
    },
    /** Draw again when this card changes size. */
    observe(cardEl) {
      if (resized) resized.observe(cardEl);
    },
    /** A card that is gone (its note deleted, or moved to another board). */
    forget(cardEl) {
      if (resized) resized.unobserve(cardEl);
    },
  };
}
