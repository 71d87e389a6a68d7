// A modal confirmation with <dialog>: focus moves in, Escape cancels, focus returns afterwards.

import { h } from "./dom.js";
import { t } from "./i18n.js";

/** Ask a yes/no question; resolves true when confirmed. */
export function confirmDialog(question, confirmLabel, detail = "") {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = `dialog-${Date.now()}`;
    let answered = false;
    const finish = (value) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
      resolve(value);
    };
    const dialog = h(
      "dialog",
      { class: "ws-dialog", "aria-labelledby": titleId, oncancel: () => finish(false) },
      h("h2", { id: titleId }, question),
      detail ? h("p", {}, detail) : null,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => finish(false) }, t("Cancel")),
        h("button", { type: "button", class: "danger", onclick: () => finish(true) }, confirmLabel),
      ),
    );
    dialog.addEventListener("close", () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("button.secondary").focus();
  });
}
