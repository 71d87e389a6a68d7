// The harvest phase: the harvest is the main action for everyone, a large way to the harvest
// page (/s/{session}/oogst), where each participant rates the goals, writes a takeaway and says
// whether what they contributed may be shared. The page works without scripts and after the
// session; this only points to it. Facilitators also see how many have answered (the count the
// cockpit polls, progress.js, passed on as a document event, so it is asked once).

import { HARVEST_COUNT_EVENT } from "../../progress.js";

export function mount(element, app) {
  const root = document.getElementById("workspace");
  const session = (root && root.dataset.session) || app.session;
  const href = `/s/${encodeURIComponent(session)}/oogst`;
  const intro = app.h(
    "p",
    { class: "harvest-intro" },
    app.t("Look back on the session: how well were the goals reached, what do you take with you, and may what you contributed be shared? You can change your answers later."),
  );
  const link = app.h("a", { class: "button primary harvest-link", href }, app.t("Fill in the harvest"));
  const observer = app.h("p", { class: "hint harvest-observer", hidden: true }, app.t("Observers do not fill in the harvest."));
  const count = app.h("p", { class: "harvest-count", hidden: true });
  element.append(app.h("div", { class: "harvest-tool" }, intro, link, observer, count));

  function counted(event) {
    if (!element.isConnected) {
      document.removeEventListener(HARVEST_COUNT_EVENT, counted);
      return;
    }
    const text = app.t("Harvest filled in: {answered} of {expected}", event.detail);
    if (count.textContent !== text) count.textContent = text;
    count.hidden = !app.canFacilitate();
  }
  document.addEventListener(HARVEST_COUNT_EVENT, counted);

  return {
    update() {
      const watching = app.role() === "observer";
      link.hidden = watching;
      intro.hidden = watching;
      observer.hidden = !watching;
      if (!app.canFacilitate()) count.hidden = true;
    },
  };
}
