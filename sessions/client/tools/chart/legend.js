// The chart's legend in words, each with a small drawing of the mark it explains. The group's
// marks (mean and spread) only exist after the reveal, so their lines appear with them.

import { h, show } from "../../dom.js";
import { svg } from "../../toolkit.js";

const swatch = (...children) =>
  svg("svg", { viewBox: "0 0 24 24", class: "chart-swatch", "aria-hidden": "true", focusable: "false" }, children);

const SWATCHES = {
  now: () => swatch(svg("circle", { cx: 12, cy: 12, r: 7, class: "legend-marker marker-now" })),
  desired: () => swatch(svg("path", { d: "M 12 3 L 21 12 L 12 21 L 3 12 Z", class: "legend-marker marker-desired" })),
  arrow: () =>
    swatch(
      svg("line", { x1: 2, y1: 20, x2: 17, y2: 5, class: "legend-arrow" }),
      svg("path", { d: "M 21 1 L 18.5 10 L 12 3.5 Z", class: "legend-arrowhead" }),
    ),
  mine: () =>
    swatch(
      svg("line", { x1: 2, y1: 20, x2: 17, y2: 5, class: "legend-arrow is-mine" }),
      svg("path", { d: "M 22 0 L 19 11 L 11 3 Z", class: "legend-arrowhead is-mine" }),
    ),
  mean: () =>
    swatch(
      svg("circle", { cx: 12, cy: 12, r: 8, class: "legend-mean-ring" }),
      svg("line", { x1: 4, y1: 12, x2: 20, y2: 12, class: "legend-mean-cross" }),
      svg("line", { x1: 12, y1: 4, x2: 12, y2: 20, class: "legend-mean-cross" }),
    ),
  spread: () => swatch(svg("ellipse", { cx: 12, cy: 12, rx: 10, ry: 7, class: "legend-spread" })),
};

export function legend(app, kindLabels) {
  const item = (drawing, text) => h("li", {}, SWATCHES[drawing](), " ", text);
  const groupItems = [
    item("mean", app.t("Group mean: a ring with a cross, one for now and one for desired")),
    item("spread", app.t("Spread: the oval around a mean (one standard deviation to each side)")),
  ];
  const element = h(
    "ul",
    { class: "chart-legend" },
    item("now", kindLabels.now),
    item("desired", kindLabels.desired),
    item("arrow", app.t("Arrow: from now to desired, one per person")),
    item("mine", app.t("Your own markers have a dark border, your own arrow is thick and dark")),
    groupItems,
  );
  return {
    element,
    update(revealed) {
      for (const groupItem of groupItems) show(groupItem, revealed);
    },
  };
}
