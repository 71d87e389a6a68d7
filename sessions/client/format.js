// Numbers and dates in the page's language, written as the server's pages write them
// (server/formatting.py): "3,5" and "6 december 2026, 14:30" in Dutch, "3.5" and
// "6 December 2026, 14:30" in English. One place, so the workspace never mixes notations.

// Werkplaatsen are Dutch, and the server's pages show Dutch clock time: the same here, so a
// time in the workspace matches the one on the session's page.
const ZONE = "Europe/Amsterdam";

function language() {
  return document.documentElement.lang || "nl";
}

function partsOf(format, date) {
  const parts = {};
  for (const { type, value } of format.formatToParts(date)) parts[type] = value;
  return parts;
}

/** A number with a fixed count of decimals: formatNumber(3.5) is "3,5" on a Dutch page. */
export function formatNumber(value, decimals = 1) {
  return new Intl.NumberFormat(language(), {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(value);
}

/** A day, "6 december 2026", from epoch seconds. */
export function formatDate(epochSeconds) {
  const parts = partsOf(
    new Intl.DateTimeFormat(language(), { day: "numeric", month: "long", year: "numeric", timeZone: ZONE }),
    new Date(epochSeconds * 1000),
  );
  return `${parts.day} ${parts.month} ${parts.year}`;
}

/** A clock time, "14:30", from epoch seconds. */
export function formatTime(epochSeconds) {
  const parts = partsOf(
    new Intl.DateTimeFormat(language(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: ZONE }),
    new Date(epochSeconds * 1000),
  );
  return `${parts.hour}:${parts.minute}`;
}

/** A moment, "6 december 2026, 14:30", from epoch seconds. */
export function formatDateTime(epochSeconds) {
  return `${formatDate(epochSeconds)}, ${formatTime(epochSeconds)}`;
}
