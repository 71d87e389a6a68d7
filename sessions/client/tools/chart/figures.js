// The chart's drawn parts, in SVG units: the markers, one arrow per person from "now" to
// "desired", and the group's mean (a ring with a cross) with its spread (an ellipse of one
// standard deviation along each axis). The view decides what is shown; this draws it.

import { svg } from "../../toolkit.js";

export const SIZE = 400; // the SVG's viewBox
export const PAD = 44; // room for the labels
export const PLOT = SIZE - 2 * PAD;

export const toX = (x) => PAD + x * PLOT;
export const toY = (y) => PAD + (1 - y) * PLOT;

// An arrow shorter than this would hide under its own markers: only the markers are drawn.
const SHORTEST_ARROW = 26;

/** A "now" marker is a circle, a "desired" one a diamond (shape, not only colour, tells them apart). */
export function markerShape(kind, x, y, className) {
  const cx = toX(x);
  const cy = toY(y);
  if (kind === "now") return svg("circle", { cx, cy, r: 9, class: className });
  const r = 11;
  return svg("path", { d: `M ${cx} ${cy - r} L ${cx + r} ${cy} L ${cx} ${cy + r} L ${cx - r} ${cy} Z`, class: className });
}

/** The arrowheads (mine and the others'), to put in the SVG's defs; their ids are given. */
export function arrowheads(ids) {
  return [
    ["chart-arrowhead", ids.others],
    ["chart-arrowhead is-mine", ids.mine],
  ].map(([className, id]) =>
    svg(
      "marker",
      { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: className }),
    ),
  );
}

/** One person's arrow: from the edge of their "now" to the edge of their "desired". */
export function personArrow({ now, desired, mine }, ids) {
  const group = svg("g", { class: mine ? "chart-person-arrow is-mine" : "chart-person-arrow" });
  const [x1, y1, x2, y2] = [toX(now.x), toY(now.y), toX(desired.x), toY(desired.y)];
  const length = Math.hypot(x2 - x1, y2 - y1);
  if (length <= SHORTEST_ARROW) return group;
  const ux = (x2 - x1) / length;
  const uy = (y2 - y1) / length;
  group.append(
    svg("line", {
      x1: x1 + ux * 11,
      y1: y1 + uy * 11,
      x2: x2 - ux * 13,
      y2: y2 - uy * 13,
      class: "chart-arrow",
      "marker-end": `url(#${mine ? ids.mine : ids.others})`,
    }),
  );
  return group;
}

/** The spread of one kind: an ellipse of one standard deviation along each axis. */
export function spreadEllipse(kind, aggregate) {
  return svg("ellipse", {
    cx: toX(aggregate.x.mean),
    cy: toY(aggregate.y.mean),
    rx: aggregate.x.sd * PLOT,
    ry: aggregate.y.sd * PLOT,
    class: `chart-spread chart-spread-${kind}`,
  });
}

/** The mean of one kind: a ring with a cross, on a white halo so it reads over the arrows. */
export function meanMark(kind, aggregate) {
  const cx = toX(aggregate.x.mean);
  const cy = toY(aggregate.y.mean);
  const r = 13;
  const ring = (className) => svg("circle", { cx, cy, r, class: className });
  const cross = (className) => [
    svg("line", { x1: cx - r, y1: cy, x2: cx + r, y2: cy, class: className }),
    svg("line", { x1: cx, y1: cy - r, x2: cx, y2: cy + r, class: className }),
  ];
  return svg(
    "g",
    { class: `chart-mean chart-mean-${kind}` },
    ring("chart-mean-halo"),
    cross("chart-mean-halo"),
    ring("chart-mean-ring"),
    cross("chart-mean-cross"),
  );
}
