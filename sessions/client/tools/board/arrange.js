// Where cards are drawn on the free part of the board so that no two overlap.
//
// The place a note has in the state (x, y between 0 and 1) is a wish: people write at the same
// time, and a private note is not seen by the others when they place theirs, so two wishes can
// fall on one spot. This module turns wishes and the cards' real (measured) sizes into places:
// cards are taken in a fixed order, and a card that fits where it wishes to be stays there;
// one that would cover an earlier card goes to the nearest free spot instead. The same cards
// and sizes always give the same places, and adding a card never moves the cards before it.
// Pure: no DOM, so it is easy to reason about and to test.

export const GAP = 8; // px kept free between two cards

/** Do two boxes `{left, top, width, height}` come closer than `gap` to each other? */
function collide(a, b, gap) {
  return (
    a.left < b.left + b.width + gap &&
    b.left < a.left + a.width + gap &&
    a.top < b.top + b.height + gap &&
    b.top < a.top + a.height + gap
  );
}

/**
 * Places for `cards` (`[{id, width, height, left, top}]`, `left`/`top` the wished place in px,
 * earlier cards first) on a surface `width` px wide that grows downwards as needed. Returns
 * `{places: Map(id -> {left, top}), height}`, `height` the bottom of the lowest card.
 */
export function arrange(cards, width, gap = GAP) {
  const placed = [];
  const places = new Map();
  let bottom = 0;
  for (const card of cards) {
    const maxLeft = Math.max(0, width - card.width);
    const wish = {
      left: Math.min(maxLeft, Math.max(0, card.left)),
      top: Math.max(0, card.top),
      width: card.width,
      height: card.height,
    };
    const spot = fits(wish, placed, gap) ? wish : nearestFree(wish, placed, maxLeft, bottom, gap);
    placed.push(spot);
    places.set(card.id, { left: spot.left, top: spot.top });
    bottom = Math.max(bottom, spot.top + spot.height);
  }
  return { places, height: bottom };
}

/** Is `box` clear of every box in `placed` (by `gap` at least)? */
export function fits(box, placed, gap = GAP) {
  return !placed.some((other) => collide(box, other, gap));
}

/**
 * The free spot nearest to `wish`: candidates line up with the edges of the cards already
 * placed (beside, above or below one of them) or with the wish itself; below every card is
 * always free, so there is always an answer.
 */
function nearestFree(wish, placed, maxLeft, bottom, gap) {
  const lefts = new Set([wish.left, 0, maxLeft]);
  const tops = new Set([wish.top, 0, bottom + gap]);
  for (const other of placed) {
    lefts.add(other.left + other.width + gap);
    lefts.add(other.left - wish.width - gap);
    lefts.add(other.left);
    tops.add(other.top + other.height + gap);
    tops.add(other.top - wish.height - gap);
    tops.add(other.top);
  }
  const candidates = [];
  for (const left of lefts) {
    if (left < 0 || left > maxLeft) continue;
    for (const top of tops) {
      if (top < 0) continue;
      const dx = left - wish.left;
      const dy = top - wish.top;
      candidates.push({ left, top, distance: dx * dx + dy * dy });
    }
  }
  // Nearest first; ties broken by place, so every viewer with the same cards agrees.
  candidates.sort((a, b) => a.distance - b.distance || a.top - b.top || a.left - b.left);
  for (const candidate of candidates) {
    const box = { left: candidate.left, top: candidate.top, width: wish.width, height: wish.height };
    if (fits(box, placed, gap)) return box;
  }
  return { left: 0, top: bottom + gap, width: wish.width, height: wish.height };
}
