// The positioning chart: two axes (by default individueel–collectief × formeel–informeel), my
// "now" and "desired" markers placed by click or tap, or by keyboard (arrow keys choose a spot,
// Enter places), with my arrow from now to desired. Before the reveal only my own markers are
// shown; after it everyone's, without names: one arrow per person (mine stands out), the group's
// mean and spread per kind, a legend in words and a table as the text alternative.
//
// Coordinates are fractions 0..1: x from the left label to the right one, y from the bottom
// label (y_low) to the top one (y_high).

import { h, setText, show, uid } from "../../dom.js";
import { act, clamp, feedbackLine, mayTakePart, round3, svg } from "../../toolkit.js";
import { arrowheads, markerShape, meanMark, PAD, personArrow, PLOT, SIZE, spreadEllipse, toX, toY } from "./figures.js";
import { arrowsOf, KINDS, summaryOf } from "./group.js";
import { legend as chartLegend } from "./legend.js";
import { chartTable } from "./table.js";

const STEP = 0.05;
const BIG_STEP = 0.2;

const percent = (value) => Math.round(value * 100);
const clip = (text, length = 28) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

export function mount(element, app) {
  const feedback = feedbackLine();
  const kindLabels = { now: app.t("Now"), desired: app.t("Desired") };
  let kind = "now";
  let cursor = { x: 0.5, y: 0.5 };
  let state = null;

  // Which marker: now or desired.
  const kindName = uid("kind");
  const radios = {};
  const kindChoice = h(
    "fieldset",
    { class: "chart-kind" },
    h("legend", {}, app.t("Which marker do you place?")),
    KINDS.map((value) => {
      radios[value] = h("input", {
        type: "radio",
        name: kindName,
        value,
        checked: value === kind,
        onchange: () => {
          kind = value;
          updateCursor();
        },
      });
      return h("label", { class: "check" }, radios[value], " ", kindLabels[value]);
    }),
  );
  const setKind = (value) => {
    kind = value;
    radios[value].checked = true;
  };

  // The chart itself.
  const arrowIds = { mine: uid("arrow"), others: uid("arrow") };
  const defs = svg("defs", {}, arrowheads(arrowIds));
  const labels = {
    x_low: svg("text", { x: PAD + 4, y: SIZE / 2 - 8, "text-anchor": "start", class: "chart-label" }),
    x_high: svg("text", { x: SIZE - PAD - 4, y: SIZE / 2 - 8, "text-anchor": "end", class: "chart-label" }),
    y_high: svg("text", { x: SIZE / 2, y: PAD - 14, "text-anchor": "middle", class: "chart-label" }),
    y_low: svg("text", { x: SIZE / 2, y: SIZE - PAD + 26, "text-anchor": "middle", class: "chart-label" }),
  };
  // Layers, bottom to top: the spread, the others' arrows and markers, mine, the means.
  const spreads = svg("g", { class: "chart-spreads" });
  const others = svg("g", { class: "chart-others" });
  const mine = svg("g", { class: "chart-mine" });
  const means = svg("g", { class: "chart-means" });
  const cursorMark = svg(
    "g",
    { class: "chart-cursor-mark" },
    svg("line", { x1: -14, y1: 0, x2: 14, y2: 0 }),
    svg("line", { x1: 0, y1: -14, x2: 0, y2: 14 }),
    svg("circle", { cx: 0, cy: 0, r: 16 }),
  );
  const drawing = svg(
    "svg",
    { viewBox: `0 0 ${SIZE} ${SIZE}`, class: "chart-svg", "aria-hidden": "true", focusable: "false" },
    defs,
    svg("rect", { x: PAD, y: PAD, width: PLOT, height: PLOT, class: "chart-plot" }),
    svg("line", { x1: PAD, y1: SIZE / 2, x2: SIZE - PAD, y2: SIZE / 2, class: "chart-axis" }),
    svg("line", { x1: SIZE / 2, y1: PAD, x2: SIZE / 2, y2: SIZE - PAD, class: "chart-axis" }),
    Object.values(labels),
    spreads,
    others,
    mine,
    means,
    cursorMark,
  );
  const keysHintId = uid("chart-keys");
  const cursorText = h("p", { class: "chart-cursor", "aria-live": "polite" });
  const surface = h(
    "div",
    {
      class: "chart-surface",
      tabIndex: 0,
      role: "application",
      "aria-label": app.t("Positioning chart"),
      "aria-describedby": keysHintId,
      onkeydown: (event) => keyDown(event),
      onclick: (event) => click(event),
    },
    drawing,
  );
  const keysHint = h(
    "p",
    { id: keysHintId, class: "hint" },
    app.t("Click or tap the chart to place your marker. With the keyboard: the arrow keys choose a spot, Enter places the marker."),
  );

  // What I placed, and what the chart shows as text.
  const myText = h("p", { class: "chart-my-markers" });
  const legend = chartLegend(app, kindLabels);
  const waitText = h("p", { class: "hint chart-wait" }, app.t("Only you see your markers. The facilitator shows everyone's markers later, without names."));
  const table = chartTable(app, kindLabels);

  // Facilitator: axis labels and the reveal.
  const axisInputs = {};
  const axisNames = {
    x_low: app.t("Left (horizontal axis)"),
    x_high: app.t("Right (horizontal axis)"),
    y_low: app.t("Bottom (vertical axis)"),
    y_high: app.t("Top (vertical axis)"),
  };
  const dirty = new Set();
  const axisFields = Object.keys(axisNames).map((key) => {
    const id = uid("axis");
    axisInputs[key] = h("input", { id, type: "text", maxLength: 120, oninput: () => dirty.add(key) });
    return h("div", { class: "field" }, h("label", { for: id }, axisNames[key]), axisInputs[key]);
  });
  const configure = h(
    "form",
    {
      class: "chart-configure",
      onsubmit: async (event) => {
        event.preventDefault();
        const fields = {};
        for (const key of Object.keys(axisNames)) {
          fields[key] = axisInputs[key].value.trim();
          if (!fields[key]) {
            setText(feedback, app.t("Give every end of the axes a name."));
            axisInputs[key].focus();
            return;
          }
        }
        if (await act(app, feedback, "chart.configure", fields)) dirty.clear();
      },
    },
    h("div", { class: "axis-fields" }, axisFields),
    h("button", { type: "submit", class: "secondary" }, app.t("Save the axes")),
  );
  const reveal = h(
    "button",
    { type: "button", class: "chart-reveal", onclick: () => act(app, feedback, "chart.reveal") },
    app.t("Show all markers"),
  );
  const facilitate = h(
    "fieldset",
    { class: "facilitate" },
    h("legend", {}, app.t("For the facilitator")),
    configure,
    h("div", { class: "actions" }, reveal),
  );

  const section = h(
    "section",
    { class: "tool tool-chart" },
    h("h3", {}, app.t("Positioning chart")),
    h("p", { class: "hint" }, app.t("Where is your work now, and where do you want it to be? Place two markers: “now” and “desired”.")),
    kindChoice,
    surface,
    keysHint,
    cursorText,
    feedback,
    myText,
    legend.element,
    waitText,
    table.element,
    facilitate,
  );
  element.append(section);

  function place(x, y) {
    if (!state || !mayTakePart(app, state)) return;
    const placed = kind;
    act(app, feedback, "marker.place", { kind: placed, x: round3(x), y: round3(y) }).then((ok) => {
      if (!ok) return;
      app.announce(app.t("Marker “{kind}” placed.", { kind: kindLabels[placed] }));
      // After "now", "desired" is usually next.
      if (placed === "now" && !myMarker("desired")) setKind("desired");
    });
  }

  function click(event) {
    const box = drawing.getBoundingClientRect();
    if (!box.width || !box.height) return;
    const sx = ((event.clientX - box.left) / box.width) * SIZE;
    const sy = ((event.clientY - box.top) / box.height) * SIZE;
    const x = clamp((sx - PAD) / PLOT);
    const y = clamp(1 - (sy - PAD) / PLOT);
    cursor = { x: round3(x), y: round3(y) };
    updateCursor();
    place(x, y);
  }

  function keyDown(event) {
    const deltas = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const delta = deltas[event.key];
    if (delta) {
      event.preventDefault();
      const step = event.shiftKey ? BIG_STEP : STEP;
      cursor = { x: round3(clamp(cursor.x + delta[0] * step)), y: round3(clamp(cursor.y + delta[1] * step)) };
      updateCursor();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      place(cursor.x, cursor.y);
    }
  }

  function describe(x, y) {
    const chart = state.chart;
    return app.t("{x}% towards {right}, {y}% towards {top}", {
      x: percent(x),
      right: chart.x_high,
      y: percent(y),
      top: chart.y_high,
    });
  }

  function updateCursor() {
    cursorMark.setAttribute("transform", `translate(${toX(cursor.x)} ${toY(cursor.y)})`);
    if (state) setText(cursorText, app.t("Chosen spot: {place}", { place: describe(cursor.x, cursor.y) }));
  }

  function myMarker(which) {
    if (!state) return null;
    for (const marker of Object.values(state.chart.markers)) {
      if (marker.owner !== null && marker.owner === app.me && marker.kind === which) return marker;
    }
    return null;
  }

  // The drawing: redrawn only when the markers change, not on every other event of the session.
  let drawn = null;
  function draw(chart) {
    const key = JSON.stringify([chart.markers, chart.revealed, app.me]);
    if (key === drawn) return;
    drawn = key;
    // Markers and arrows: mine on top; the others' (after the reveal) below.
    const isMine = (marker) => marker.owner !== null && marker.owner === app.me;
    const markers = Object.values(chart.markers);
    const arrows = arrowsOf(chart.markers, app.me);
    others.replaceChildren(
      ...arrows.filter((arrow) => !arrow.mine).map((arrow) => personArrow(arrow, arrowIds)),
      ...markers.filter((m) => !isMine(m)).map((m) => markerShape(m.kind, m.x, m.y, `chart-marker marker-${m.kind}`)),
    );
    mine.replaceChildren(
      ...arrows.filter((arrow) => arrow.mine).map((arrow) => personArrow(arrow, arrowIds)),
      ...markers.filter(isMine).map((m) => markerShape(m.kind, m.x, m.y, `chart-marker marker-${m.kind} marker-mine`)),
    );
    // The group, once everyone's markers are shown: the spread and mean per kind.
    const summary = chart.revealed ? summaryOf(chart.markers) : {};
    const kindsPlaced = KINDS.filter((which) => summary[which]);
    spreads.replaceChildren(...kindsPlaced.map((which) => spreadEllipse(which, summary[which])));
    means.replaceChildren(...kindsPlaced.map((which) => meanMark(which, summary[which])));
  }

  function update(current) {
    state = current;
    const chart = current.chart;
    for (const [key, text] of Object.entries(labels)) setText(text, clip(chart[key]));
    const takePart = mayTakePart(app, current);
    show(kindChoice, takePart);
    surface.classList.toggle("chart-readonly", !takePart);

    draw(chart);

    const now = myMarker("now");
    const desired = myMarker("desired");
    const mineParts = KINDS.map((which) => {
      const marker = which === "now" ? now : desired;
      return `${kindLabels[which]}: ${marker ? describe(marker.x, marker.y) : app.t("not placed yet")}`;
    });
    setText(myText, `${app.t("Your markers")} — ${mineParts.join("; ")}`);
    show(myText, takePart || now !== null || desired !== null);
    updateCursor();

    // The legend and the table alternative follow the group's marks, shown after the reveal.
    legend.update(chart.revealed);
    show(waitText, !chart.revealed);
    show(table.element, chart.revealed);
    if (chart.revealed) table.update(chart);

    // Facilitator.
    const facilitator = app.canFacilitate() && !current.ended;
    show(facilitate, facilitator);
    if (facilitator) {
      for (const [key, input] of Object.entries(axisInputs)) {
        if (!dirty.has(key) && document.activeElement !== input && input.value !== chart[key]) input.value = chart[key];
      }
      reveal.disabled = chart.revealed;
    }
  }

  return { update };
}
