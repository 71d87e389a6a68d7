// The positioning chart: two axes, everyone's markers hidden until revealed.

import { N_ } from "../i18n.js";
import { get } from "../fold.js";

function chartConfigured(state, event, body) {
  state.chart.x_low = body.x_low;
  state.chart.x_high = body.x_high;
  state.chart.y_low = body.y_low;
  state.chart.y_high = body.y_high;
}

function markerPlaced(state, event, body) {
  // Before the reveal only the owner receives this (others get `hidden`); after it, others
  // receive it without an actor, so `owner` stays null for them.
  state.chart.markers[body.marker] = {
    owner: event.actor,
    kind: body.kind,
    x: body.x,
    y: body.y,
  };
}

function chartRevealed(state, event, body) {
  const chart = state.chart;
  chart.revealed = true;
  for (const [id, [kind, x, y]] of Object.entries(body.markers)) {
    const known = get(chart.markers, id);
    // The event is anonymous: an owner is known only to whoever knew it before (the owner).
    const owner = known !== undefined ? known.owner : null;
    chart.markers[id] = { owner, kind, x, y };
  }
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
