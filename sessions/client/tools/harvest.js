// The harvest: the last phase, the way to the harvest page (sessions/harvest/pages.py) above
// the board and the chart it looks back on. No events of its own.

import { N_ } from "../i18n.js";

export default {
  name: "harvest",
  agenda: { key: "harvest", label: N_("Harvest"), shows: ["harvest", "board", "chart"] },
  view: () => import("./harvest/view.js"),
};
