// What the chart shows of the group, worked out from the markers a reader sees (no drawing):
// one arrow per person from "now" to "desired", and per kind the mean and spread. The mean and
// the population standard deviation are those the outcome's capture keeps (sessions/tools/chart.py),
// so the workspace and the outcome page show the same numbers.

import { get } from "../../fold.js";
import { formatNumber } from "../../format.js";

export const KINDS = ["now", "desired"];

/** One entry per person who placed both markers: {now, desired, mine}. My own pair is found by
 * owner too, so it is drawn even for markers placed before markers had partners. */
export function arrowsOf(markers, me) {
  const arrows = [];
  const mineOf = (marker) => me !== null && me !== undefined && marker.owner === me;
  let myDesired = null;
  for (const marker of Object.values(markers)) {
    if (marker.kind === "desired" && mineOf(marker)) myDesired = marker;
  }
  for (const marker of Object.values(markers)) {
    if (marker.kind !== "now") continue;
    const partner = marker.partner ? get(markers, marker.partner) : undefined;
    const desired = partner?.kind === "desired" ? partner : mineOf(marker) ? myDesired : null;
    if (desired) arrows.push({ now: marker, desired, mine: mineOf(marker) });
  }
  // Mine last, so that it is drawn on top of the others.
  return arrows.sort((a, b) => Number(a.mine) - Number(b.mine));
}

function spreadOf(values) {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

/** Per kind: {n, x: {mean, sd}, y: {mean, sd}}, or null when nobody placed that kind. */
export function summaryOf(markers) {
  const summary = {};
  for (const kind of KINDS) {
    const placed = Object.values(markers).filter((marker) => marker.kind === kind);
    summary[kind] = placed.length
      ? { n: placed.length, x: spreadOf(placed.map((m) => m.x)), y: spreadOf(placed.map((m) => m.y)) }
      : null;
  }
  return summary;
}

/** A fraction as a percentage with one decimal, in the page's language ("16,3" in Dutch). */
export function percentText(value) {
  return formatNumber(value * 100, 1);
}
