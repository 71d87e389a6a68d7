// Dragging a card with a pointer (mouse, pen, finger): the card follows the pointer, the theme
// under it lights up, and on release the board learns where it was dropped. The card is moved
// with a transform while it is dragged, so that the board's arrangement stays as it is.

const CLICK_SLOP = 4; // px: a smaller movement is a click, not a drag
const EDGE = 40; // px from the window's top or bottom where a dragged card scrolls the page
const SCROLL_STEP = 16; // px per pointer move near an edge

/**
 * Make `el` draggable. `options`: `canDrag()`, `target(x, y)` (what lies under the pointer:
 * `{theme: id}`, `{free: true}` or null), `moving(box)` while it moves, and `dropped(target,
 * box)` on release over a target (`box` the card's rectangle there).
 */
export function dragCard(el, options) {
  let drag = null;
  let lit = null;

  function light(target) {
    const next = target && target.el ? target.el : null;
    if (next === lit) return;
    if (lit) lit.classList.remove("drop-here");
    lit = next;
    if (lit) lit.classList.add("drop-here");
  }

  el.addEventListener("pointerdown", (event) => {
    if (!options.canDrag() || event.button !== 0) return;
    if (event.target.closest("button, select, textarea, input, a, label, form")) return;
    drag = { x: event.clientX + window.scrollX, y: event.clientY + window.scrollY, moved: false };
    el.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  el.addEventListener("pointermove", (event) => {
    if (!drag) return;
    // A theme out of sight is reached by holding the card near the window's edge.
    if (drag.moved && event.clientY < EDGE) window.scrollBy(0, -SCROLL_STEP);
    else if (drag.moved && event.clientY > window.innerHeight - EDGE) window.scrollBy(0, SCROLL_STEP);
    const dx = event.clientX + window.scrollX - drag.x;
    const dy = event.clientY + window.scrollY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    drag.moved = true;
    el.classList.add("note-dragging");
    el.style.transform = `translate(${dx}px, ${dy}px)`;
    light(options.target(event.clientX, event.clientY));
    options.moving(el.getBoundingClientRect());
  });

  const end = (event, keep) => {
    if (!drag) return;
    const { moved } = drag;
    drag = null;
    light(null);
    if (el.hasPointerCapture(event.pointerId)) el.releasePointerCapture(event.pointerId);
    const box = el.getBoundingClientRect();
    const target = keep && moved ? options.target(event.clientX, event.clientY) : null;
    el.classList.remove("note-dragging");
    el.style.transform = "";
    if (target) options.dropped(target, box);
  };
  el.addEventListener("pointerup", (event) => end(event, true));
  el.addEventListener("pointercancel", (event) => end(event, false));
}
