// Interface text: the server renders every client msgid with its translation into #client-strings.

let strings = {};

/** Read the translations from the page (a JSON data block, allowed by the CSP). */
export function loadStrings(doc = document) {
  const block = doc.getElementById("client-strings");
  try {
    strings = block ? JSON.parse(block.textContent) : {};
  } catch {
    strings = {};
  }
  return strings;
}

/** The translated text of an English msgid; `{name}` placeholders are replaced from vars. */
export function t(msgid, vars) {
  let text = Object.prototype.hasOwnProperty.call(strings, msgid) ? strings[msgid] : msgid;
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, (match, key) =>
      Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : match,
    );
  }
  return text;
}

/** Marks a msgid for extraction where it is translated later, with `t(variable)`. */
export const N_ = (msgid) => msgid;
