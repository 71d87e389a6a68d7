// Themes (clusters in the code): one board's notes by theme, an area per theme (title, count,
// votes, rename, its notes inside) and, in the list view, one for the notes in no theme. On the
// canvas the areas are drawn on the board, and a card dropped on one joins that theme.

import { h, setText, show, uid } from "../../dom.js";
import { act, mayWriteBoard, own, place } from "../../toolkit.js";
import { voteControl } from "../voting/view.js";
import { clustersOf, headingTag } from "./layout.js";
import { themeVotes } from "./votes.js";

// One board's notes by cluster: a section per cluster (title, votes, rename) and one for the
// notes in no cluster. `groupOfBoard()` says whose board it is.
export function makeSections(ctx, groupOfBoard, headingLevel) {
  const { app, feedback, readOnly } = ctx;
  const views = new Map();
  const noneHeading = h(headingTag(headingLevel), { class: "cluster-title" }, app.t("Not in a cluster"));
  const noneList = h("ul", { class: "notes" });
  const none = h("section", { class: "cluster cluster-none" }, noneHeading, noneList);
  const el = h("div", { class: "board-sections" });

  function makeCluster(cid) {
    const titleId = uid("cluster");
    const title = h(headingTag(headingLevel), { class: "cluster-title", id: titleId });
    const votes = voteControl(app, cid, feedback, titleId);
    const total = themeVotes(app);
    const renameDraft = app.draft(`board.rename.${cid}`);
    const renameId = uid("rename");
    const renameInput = h("input", {
      id: renameId,
      type: "text",
      maxLength: 120,
      oninput: () => renameDraft.set(renameInput.value),
    });
    const renameForm = h(
      "form",
      {
        class: "cluster-rename",
        hidden: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const value = renameInput.value.trim();
          if (!value) return;
          if (await act(app, feedback, "cluster.rename", { cluster: cid, title: value })) {
            renameDraft.clear();
            renameForm.hidden = true;
            renameButton.focus();
          }
        },
      },
      h("label", { for: renameId }, app.t("New title")),
      h(
        "div",
        { class: "inline-field" },
        renameInput,
        h("button", { type: "submit", class: "small" }, app.t("Save")),
        h(
          "button",
          {
            type: "button",
            class: "secondary small",
            onclick: () => {
              renameDraft.clear();
              renameForm.hidden = true;
              renameButton.focus();
            },
          },
          app.t("Cancel"),
        ),
      ),
    );
    const renameButton = h(
      "button",
      {
        type: "button",
        class: "cluster-rename-button secondary small",
        "aria-describedby": titleId,
        onclick: () => {
          const cluster = own(ctx.state.clusters, cid);
          renameInput.value = renameDraft.get() || (cluster ? cluster.title : "");
          renameForm.hidden = false;
          renameInput.focus();
        },
      },
      app.t("Rename"),
    );
    const list = h("ul", { class: "notes" });
    const count = h("span", { class: "cluster-count" });
    // A labelled region: a screen reader can jump from theme to theme.
    const sectionEl = h(
      "section",
      { class: "cluster theme-area", "data-cluster": cid, "aria-labelledby": titleId },
      h("div", { class: "cluster-head" }, title, count, total.el, votes.el, renameButton),
      renameForm,
      list,
    );
    return {
      el: sectionEl,
      update(current, cluster, notes) {
        setText(title, cluster.title);
        setText(count, app.t("Notes: {n}", { n: notes.length }));
        votes.update(current);
        total.update(current, cid, notes.map(([id]) => id));
        show(renameButton, !readOnly && mayWriteBoard(app, current));
        place(list, notes.map(([, el]) => el));
      },
    };
  }

  return {
    el,
    /** `byCluster`: theme id (null: none) -> [[note id, card element]]; `listMode`: the list view. */
    update(current, byCluster, listMode) {
      const clusters = clustersOf(ctx.state, groupOfBoard());
      const els = [];
      const seen = new Set();
      for (const [cid, cluster] of clusters) {
        seen.add(cid);
        let clusterView = views.get(cid);
        if (!clusterView) {
          clusterView = makeCluster(cid);
          views.set(cid, clusterView);
        }
        clusterView.update(current, cluster, byCluster.get(cid) || []);
        els.push(clusterView.el);
      }
      for (const cid of [...views.keys()]) if (!seen.has(cid)) views.delete(cid);
      const loose = byCluster.get(null) || [];
      // On the canvas the notes in no theme lie on the free part of the board instead.
      place(noneList, listMode ? loose.map(([, noteEl]) => noteEl) : []);
      show(noneHeading, clusters.length > 0);
      if (listMode && loose.length > 0) els.push(none);
      place(el, els);
    },
  };
}
