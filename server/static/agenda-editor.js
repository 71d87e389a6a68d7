// The start form's agenda editor, made quicker: move, remove and add phases in the page.
// Without this script the same buttons submit the form and the server applies them, so
// everything here is an enhancement. Field names carry the phase number (phase-3-name);
// after every change the phases are numbered again in their new order.

const NUMBERED = /phase-\d+-/g;
const OPERATION = /^(up|down|remove)-\d+$/;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function renumber(editor) {
  const phases = [...editor.querySelectorAll("[data-phase]")];
  phases.forEach((phase, index) => {
    const n = index + 1;
    for (const element of [phase, ...phase.querySelectorAll("*")]) {
      for (const name of ["id", "name", "for", "aria-describedby", "aria-labelledby"]) {
        const value = element.getAttribute(name);
        if (value) element.setAttribute(name, value.replace(NUMBERED, `phase-${n}-`));
      }
      if (element.tagName === "BUTTON" && OPERATION.test(element.value)) {
        element.value = element.value.replace(/\d+$/, String(n));
      }
    }
    phase.querySelector("legend").textContent = fill(editor.dataset.legend, { n });
    const up = phase.querySelector("button[value^='up-']");
    const down = phase.querySelector("button[value^='down-']");
    up.setAttribute("aria-disabled", String(index === 0));
    down.setAttribute("aria-disabled", String(index === phases.length - 1));
  });
  return phases;
}

function nameOf(editor, phase) {
  const typed = phase.querySelector("input[name$='-name']").value.trim();
  return typed || phase.querySelector("legend").textContent;
}

function announce(editor, text) {
  const status = editor.querySelector("[data-agenda-status]");
  // Emptied first so that the same words twice are still read out.
  status.textContent = "";
  window.setTimeout(() => { status.textContent = text; }, 50);
}

function move(editor, phase, step, focusTarget) {
  const neighbour = step < 0 ? phase.previousElementSibling : phase.nextElementSibling;
  if (!neighbour || !neighbour.matches("[data-phase]")) {
    announce(editor, editor.dataset.edge);
    return;
  }
  if (step < 0) neighbour.before(phase); else neighbour.after(phase);
  const phases = renumber(editor);
  focusTarget.focus();
  const n = phases.indexOf(phase) + 1;
  announce(editor, fill(editor.dataset.moved, { name: nameOf(editor, phase), n, total: phases.length }));
}

function remove(editor, phase) {
  const phases = [...editor.querySelectorAll("[data-phase]")];
  if (phases.length <= 1) {
    announce(editor, editor.dataset.last);
    return;
  }
  const next = phase.nextElementSibling || phase.previousElementSibling;
  phase.remove();
  const left = renumber(editor);
  next.querySelector("input[name$='-name']").focus();
  announce(editor, fill(editor.dataset.removed, { total: left.length }));
}

function add(editor) {
  const phases = [...editor.querySelectorAll("[data-phase]")];
  if (phases.length >= Number(editor.dataset.max)) {
    announce(editor, editor.dataset.full);
    return;
  }
  const last = phases[phases.length - 1];
  const fresh = last.cloneNode(true);
  for (const error of fresh.querySelectorAll(".field-error")) error.remove();
  for (const element of fresh.querySelectorAll("[autofocus]")) element.removeAttribute("autofocus");
  for (const element of fresh.querySelectorAll("input, textarea, select")) {
    element.removeAttribute("aria-invalid");
    const describedBy = (element.getAttribute("aria-describedby") || "")
      .split(" ").filter((id) => id && !id.startsWith("error-")).join(" ");
    if (describedBy) element.setAttribute("aria-describedby", describedBy);
    else element.removeAttribute("aria-describedby");
    if (element.tagName === "SELECT") element.value = "board";
    else element.value = element.name.endsWith("-minutes") ? "10" : "";
  }
  last.after(fresh);
  const all = renumber(editor);
  fresh.querySelector("input[name$='-name']").focus();
  announce(editor, fill(editor.dataset.added, { n: all.length }));
}

function enhanceAgenda(editor) {
  editor.addEventListener("input", (event) => {
    if (event.target.matches("input[name$='-minutes']")) updateTotal(editor, true);
  });
  editor.addEventListener("click", (event) => {
    const button = event.target.closest("button[name='op']");
    if (!button || !editor.contains(button)) return;
    const phase = button.closest("[data-phase]");
    const [operation] = button.value.split("-");
    event.preventDefault();
    if (button.value === "add") add(editor);
    else if (operation === "up") move(editor, phase, -1, button);
    else if (operation === "down") move(editor, phase, 1, button);
    else if (operation === "remove") remove(editor, phase);
    updateTotal(editor, false);
  });
  // Alt + arrow up/down moves the phase you are in, and you stay where you were typing.
  editor.addEventListener("keydown", (event) => {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const phase = event.target.closest("[data-phase]");
    if (!phase) return;
    event.preventDefault();
    move(editor, phase, event.key === "ArrowUp" ? -1 : 1, event.target);
  });
}

// The agenda's total against the practice's own time, kept current as the facilitator types,
// moves, adds or removes phases (the server renders the same text when the form comes back).
function plural(element, n) {
  return fill(n === 1 ? element.dataset.one : element.dataset.many, { n });
}

function updateTotal(editor, announceOver) {
  const total = editor.querySelector("[data-agenda-total]");
  const over = editor.querySelector("[data-agenda-over]");
  if (!total || !over) return;
  let minutes = 0;
  for (const input of editor.querySelectorAll("input[name$='-minutes']")) {
    const value = input.value.trim();
    if (/^\d+$/.test(value)) minutes += Number(value);
  }
  total.querySelector("[data-agenda-sum]").textContent = plural(total, minutes);
  const beyond = total.dataset.typical ? minutes - Number(total.dataset.typical) : 0;
  const wasHidden = over.hidden;
  over.hidden = beyond <= 0;
  over.textContent = beyond > 0 ? plural(over, beyond) : "";
  // Said once when the agenda first runs over while typing; a button already says what it did.
  if (announceOver && wasHidden && !over.hidden) announce(editor, over.textContent);
}

// Places in the room only matter when people meet in a room: hide the field for online.
function enhanceCapacity(form) {
  const field = form.querySelector("[data-capacity]");
  const radios = form.querySelectorAll("input[name='modality']");
  if (!field || radios.length === 0) return;
  const input = field.querySelector("input");
  const update = () => {
    const online = form.querySelector("input[name='modality']:checked")?.value === "online";
    // Keep a field with an error in view, so its message can be read.
    field.hidden = online && !input.value;
    input.disabled = field.hidden;
  };
  for (const radio of radios) radio.addEventListener("change", update);
  update();
}

const editor = document.querySelector("[data-agenda-editor]");
if (editor) {
  enhanceAgenda(editor);
  editor.dataset.enhanced = "true";
  enhanceCapacity(editor.closest("form"));
}
