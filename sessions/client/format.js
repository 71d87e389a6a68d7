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

/** The field values "2026-12-07" and "14:30" of a moment in epoch seconds (Dutch time). */
export function dateFieldsOf(epochSeconds) {
  const parts = partsOf(
    new Intl.DateTimeFormat("en-CA", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: ZONE,
    }),
    new Date(epochSeconds * 1000),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** Epoch seconds of a day ("2026-12-07") and clock time ("14:30") in Dutch time; null when
 * either is not a valid day or time. In the autumn hour that happens twice, the first one. */
export function epochOf(dateText, timeText) {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText || "");
  const clock = /^(\d{1,2}):(\d{2})$/.exec(timeText || "");
  if (!day || !clock) return null;
  const [y, mo, d, hh, mi] = [day[1], day[2], day[3], clock[1], clock[2]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, hh, mi) / 1000;
  if (new Date(wall * 1000).getUTCDate() !== d) return null; // 31 February
  // The zone's offset at a guess, then at the corrected guess (near a change of clocks).
  let guess = wall - 3600;
  for (let i = 0; i < 2; i++) {
    const seen = dateFieldsOf(guess);
    const [sy, smo, sd] = seen.date.split("-").map(Number);
    const [sh, smi] = seen.time.split(":").map(Number);
    guess += wall - Date.UTC(sy, smo - 1, sd, sh, smi) / 1000;
  }
  return guess;
}
