// What someone typed, kept in localStorage per session and participant, so a dropped network,
// a phone going to sleep or a reload loses nothing. Cleared only once the server acknowledged.

export function makeDrafts(prefix) {
  const memory = new Map(); // when localStorage is unavailable (private mode, full)
  return function draft(key) {
    const name = `${prefix}:${key}`;
    return {
      get() {
        try {
          const value = localStorage.getItem(name);
          return value === null ? memory.get(name) || "" : value;
        } catch {
          return memory.get(name) || "";
        }
      },
      set(text) {
        const value = text === null || text === undefined ? "" : String(text);
        memory.set(name, value);
        try {
          if (value) localStorage.setItem(name, value);
          else localStorage.removeItem(name);
        } catch {
          /* memory keeps it for this page */
        }
      },
      clear() {
        memory.delete(name);
        try {
          localStorage.removeItem(name);
        } catch {
          /* nothing stored */
        }
      },
    };
  };
}
