// The chart's text alternative after the reveal: how many markers of each kind lie in each
// quarter, and the group's mean and spread per axis (as percentages towards the right and top
// labels, like "40% naar collectief" under the chart), so that no one needs the drawing.

import { h } from "../../dom.js";
import { KINDS, percentText, summaryOf } from "./group.js";

function quarterOf(marker, chart) {
  const side = marker.x < 0.5 ? chart.x_low : chart.x_high;
  const height = marker.y < 0.5 ? chart.y_low : chart.y_high;
  return `${height} · ${side}`;
}

function quarterRows(chart) {
  const names = [
    `${chart.y_high} · ${chart.x_low}`,
    `${chart.y_high} · ${chart.x_high}`,
    `${chart.y_low} · ${chart.x_low}`,
    `${chart.y_low} · ${chart.x_high}`,
  ];
  const counts = new Map(names.map((name) => [name, { now: 0, desired: 0 }]));
  for (const marker of Object.values(chart.markers)) {
    const row = counts.get(quarterOf(marker, chart));
    if (row) row[marker.kind] += 1;
  }
  return [...counts].map(([name, row]) => [name, KINDS.map((kind) => String(row[kind]))]);
}

function groupRows(app, chart) {
  const summary = summaryOf(chart.markers);
  const cells = (axis, measure) =>
    KINDS.map((kind) => (summary[kind] ? percentText(summary[kind][axis][measure]) : "–"));
  return [
    [app.t("Mean, % towards {label}", { label: chart.x_high }), cells("x", "mean")],
    [app.t("Mean, % towards {label}", { label: chart.y_high }), cells("y", "mean")],
    [app.t("Spread, % towards {label}", { label: chart.x_high }), cells("x", "sd")],
    [app.t("Spread, % towards {label}", { label: chart.y_high }), cells("y", "sd")],
  ];
}

export function chartTable(app, kindLabels) {
  const quarters = h("tbody");
  const group = h("tbody", { class: "chart-group-rows" });
  const element = h(
    "table",
    { class: "chart-table" },
    h("caption", {}, app.t("Markers per part of the chart, and the group's mean and spread (standard deviation)")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, app.t("Part of the chart")),
        KINDS.map((kind) => h("th", { scope: "col" }, kindLabels[kind])),
      ),
    ),
    quarters,
    group,
  );
  const fill = (body, rows) => {
    const key = JSON.stringify(rows);
    if (body.dataset.key === key) return;
    body.dataset.key = key;
    body.replaceChildren(
      ...rows.map(([name, values]) =>
        h("tr", {}, h("th", { scope: "row" }, name), values.map((value) => h("td", {}, value))),
      ),
    );
  };
  return {
    element,
    update(chart) {
      fill(quarters, quarterRows(chart));
      fill(group, groupRows(app, chart));
    },
  };
}
