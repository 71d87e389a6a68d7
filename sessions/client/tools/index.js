// The workspace's tools: the ONE place that lists them (the client's side of
// sessions/tools/__init__.py). Everything else derives from this list: the fold (state.js),
// the agenda's tool choice (agenda.js), the tabs, panels and side-column widgets (shell.js).
//
// A tool module's default export:
//   name     the tool (as its Python slice in sessions/tools/)
//   initial  () => its part of the state, at the defaults of the server's State()
//   fold     { "event.type": (state, event, body) => void } as the server's fold, in place
//   agenda   { key, label: N_(msgid), shows: [tool names] } when an agenda phase can use it: the
//            key is the phase's `tool` (catalogue/vocabulary.py TOOLS), the label its tab, and
//            `shows` the tools whose views its panel mounts (default: this tool's own)
//   view     () => import("./<tool>/view.js"), a module with mount(element, app) -> {update},
//            loaded when first shown; a small tool keeps it in its own module:
//            () => import("./<tool>.js") with `export function mount` there (as hands.js does)
//   widget   the same, for an always-on panel in the side column (no agenda phase needed)
// A new tool: write tools/<tool>.js (its view in it or beside it), add it below, its styles
// beside it (imported by tools.css). The texts it passes to t() and N_() are extracted from it
// (babel.cfg): no list.

import session from "./session.js";
import phases from "./phases.js";
import people from "./people.js";
import board from "./board.js";
import voting from "./voting.js";
import rounds from "./rounds.js";
import chart from "./chart.js";
import chat from "./chat.js";
import hands from "./hands.js";
import breakouts from "./breakouts.js";
import harvest from "./harvest.js";
import reactions from "./reactions.js";
import review from "./review.js";

/** In the agenda's order of tools, the side column's order of widgets. */
export const TOOLS = [session, phases, people, board, voting, rounds, chart, chat, hands, breakouts, review, harvest, reactions];

/** The tools a phase can use, in the agenda editor's order: [{key, label, shows}]. */
export const AGENDA_TOOLS = TOOLS.filter((tool) => tool.agenda).map((tool) => ({
  shows: tool.view ? [tool.name] : [],
  ...tool.agenda,
}));

/** Tool name -> its view's loader, for the tools that have one. */
export const VIEWS = Object.fromEntries(TOOLS.filter((tool) => tool.view).map((tool) => [tool.name, tool.view]));

/** The always-on panels of the side column: [{name, load}]. */
export const WIDGETS = TOOLS.filter((tool) => tool.widget).map((tool) => ({ name: tool.name, load: tool.widget }));

/** Event type -> fold handler, over every tool; a type two tools claim is an error. */
export function foldHandlers(tools = TOOLS) {
  const handlers = {};
  for (const tool of tools) {
    for (const [type, handler] of Object.entries(tool.fold || {})) {
      if (Object.hasOwn(handlers, type)) throw new Error(`two fold handlers for ${type}`);
      handlers[type] = handler;
    }
  }
  return handlers;
}

/** The state before the first event: every tool's part. */
export function initialState(tools = TOOLS) {
  return Object.assign({}, ...tools.map((tool) => (tool.initial ? tool.initial() : {})));
}
