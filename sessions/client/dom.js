// A tiny DOM builder. User text always becomes text nodes, never HTML.

/**
 * h("button", {class: "primary", onclick: fn, "aria-label": "…"}, "text", child, [more])
 * Strings and numbers become text nodes; null, undefined and false are skipped; arrays are flattened.
 * `class`, `for`, `aria-*`, `data-*` and `role` are set as attributes, `on*` functions as listeners,
 * everything else as a property (value, checked, disabled, hidden, type, href, …).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "for") {
      el.htmlFor = value;
    } else if (key === "style") {
      throw new Error("no inline styles (CSP): use a class");
    } else if (key.startsWith("aria-") || key.startsWith("data-") || key === "role") {
      el.setAttribute(key, value === true ? "true" : String(value));
    } else {
      el[key] = value;
    }
  }
  append(el, children);
  return el;
}

/** Append children (strings, nodes, arrays; null skipped) to an element. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace all children of an element. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Set text only when it changed (keeps screen readers and layout calm). */
export function setText(el, text) {
  const value = text === null || text === undefined ? "" : String(text);
  if (el.textContent !== value) el.textContent = value;
}

/** Show or hide an element with the `hidden` property. */
export function show(el, visible) {
  if (el.hidden === Boolean(visible)) el.hidden = !visible;
}

let counter = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix = "wp") {
  counter += 1;
  return `${prefix}-${counter}`;
}
