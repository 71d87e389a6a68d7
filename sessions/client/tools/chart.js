// The positioning chart: two axes, everyone's markers hidden until revealed. A person's two
// markers are each other's `partner`, so that one arrow per person can be drawn, anonymously.

import { N_ } from "../i18n.js";
import { get } from "../fold.js";

function chartConfigured(state, event, body) {
  state.chart.x_low = body.x_low;
  state.chart.x_high = body.x_high;
  state.chart.y_low = body.y_low;
  state.chart.y_high = body.y_high;
}

// Makes two markers each other's partner (when the reader sees both).
function pair(markers, one, other) {
  if (other === null || other === undefined) return;
  const a = get(markers, one);
  const b = get(markers, other);
  if (a === undefined || b === undefined) return;
  a.partner = other;
  b.partner = one;
}

function markerPlaced(state, event, body) {
  // Before the reveal only the owner receives this (others get `hidden`); after it, others
  // receive it without an actor, so `owner` stays null for them.
  const partner = body.partner ?? null;
  state.chart.markers[body.marker] = {
    owner: event.actor,
    kind: body.kind,
    x: body.x,
    y: body.y,
    partner,
  };
  pair(state.chart.markers, body.marker, partner);
}

function chartRevealed(state, event, body) {
  const chart = state.chart;
  chart.revealed = true;
  for (const [id, [kind, x, y]] of Object.entries(body.markers)) {
    const known = get(chart.markers, id);
    // The event is anonymous: an owner is known only to whoever knew it before (the owner).
    const owner = known !== undefined ? known.owner : null;
    const partner = known !== undefined ? (known.partner ?? null) : null;
    chart.markers[id] = { owner, kind, x, y, partner };
  }
  for (const [now, desired] of body.pairs ?? []) pair(chart.markers, now, desired);
}

export default {
  name: "chart",
  agenda: { key: "position-chart", label: N_("Positioning chart") },
  view: () => import("./chart/view.js"),
  initial: () => ({
    chart: {
      x_low: "individueel",
      x_high: "collectief",
      y_low: "formeel",
      y_high: "informeel",
      markers: {},
      revealed: false,
    },
  }),
  fold: {
    "chart.configured": chartConfigured,
    "marker.placed": markerPlaced,
    "chart.revealed": chartRevealed,
  },
};
