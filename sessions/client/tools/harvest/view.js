// The harvest phase: a clear way to the harvest page (/s/{session}/oogst), where each participant
// rates the goals, writes a takeaway and says whether what they contributed may be shared.
// The page works without scripts and after the session; this only points to it.

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
  element.append(app.h("div", { class: "harvest-tool" }, intro, link, observer));
  return {
    update() {
      const watching = app.role() === "observer";
      link.hidden = watching;
      intro.hidden = watching;
      observer.hidden = !watching;
    },
  };
}
