// One websocket per tab: hello/welcome, events in seq order, an outbox of commands kept until
// their ack, reconnect with backoff (and at once when the network or the page comes back),
// clock offset from the server. The protocol is docs/protocol.md.

import { applyEvent, fromSnapshot } from "./state.js";

const BACKOFF_FIRST = 500;
const BACKOFF_MAX = 15000;
const WELCOME_TIMEOUT = 15000;
const WAKE_AFTER = 20000; // hidden this long: the socket may be dead without knowing it
const SIGNAL_INTERVAL = 200;
// Close codes after which reconnecting cannot help (docs/protocol.md §8).
export const FATAL_CLOSES = { 4001: "bad_token", 4004: "unknown_session", 4005: "removed" };
const CLOSE_RELOAD = 4010;
// The most bytes one message may have (sessions/commands.py MAX_FRAME_BYTES). The server
// answers a larger one without its id, so it would wait in the outbox forever.
export const MAX_FRAME_BYTES = 16 * 1024;
const ENCODER = new TextEncoder();

function randomPrefix() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 10);
}

export class Connection {
  /**
   * options: url (absolute ws:// or wss://), token, storageKey (per session+participant),
   * and callbacks onState(state, {events, snapshot}), onStatus(status), onPresence(ids),
   * onSignal(signal), onFatal(reason), onAcked(entry) (for drafts).
   */
  constructor(options) {
    this.url = options.url;
    this.token = options.token;
    this.storageKey = options.storageKey;
    this.on = options;
    this.state = null;
    this.lastSeq = 0;
    this.offset = 0;
    this.online = null; // who the presence frames say is connected (a Set), once they have
    this.status = "connecting";
    this.welcomed = false;
    this.stopped = false;
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.welcomeTimer = null;
    this.hiddenAt = null;
    this.prefix = randomPrefix();
    this.counter = 0;
    this.outbox = new Map(); // id -> {frame, draft, resolve, reject}
    this.signals = new Map(); // kind -> {last, pending, timer}
    this._restoreOutbox();
    this._listen();
  }

  /** Server time now (epoch seconds), corrected for this device's clock. */
  serverNow() {
    return Date.now() / 1000 + this.offset;
  }

  start() {
    this._connect();
  }

  /** Send a command; resolves with the ack {seqs} or rejects with {code, message}. */
  send(type, fields = {}, options = {}) {
    this.counter += 1;
    const id = `${this.prefix}-${this.counter}`;
    const frame = { ...fields, type, id };
    if (ENCODER.encode(JSON.stringify(frame)).length > MAX_FRAME_BYTES) {
      return Promise.reject({ code: "too_large", message: `a message may have at most ${MAX_FRAME_BYTES} bytes` });
    }
    return new Promise((resolve, reject) => {
      this.outbox.set(id, { frame, draft: options.draft || null, resolve, reject });
      this._saveOutbox();
      if (this.welcomed) this._write(frame);
    });
  }

  /** How many commands wait for their answer. */
  pending() {
    return this.outbox.size;
  }

  /** An ephemeral signal, at most one per kind every 200 ms (the latest wins). */
  signal(kind, ref = null, x = null, y = null) {
    const entry = this.signals.get(kind) || { last: 0, pending: null, timer: null };
    this.signals.set(kind, entry);
    entry.pending = { type: "signal", kind, ref, x, y };
    const wait = entry.last + SIGNAL_INTERVAL - Date.now();
    if (wait <= 0) {
      this._flushSignal(entry);
    } else if (entry.timer === null) {
      entry.timer = setTimeout(() => this._flushSignal(entry), wait);
    }
  }

  /** Close for good (removed, link invalid, page leaving). */
  stop(reason) {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.welcomeTimer);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      try {
        socket.close(1000);
      } catch {
        /* already closed */
      }
    }
    this._setStatus("stopped");
    if (reason) this.on.onFatal?.(reason);
  }

  /** Reconnect now (network back, page visible again); `force` also drops a live socket. */
  reconnectNow(force = false) {
    if (this.stopped) return;
    if (this.socket && !force) {
      if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) return;
    }
    this.attempt = 0;
    this._drop();
    this._connect();
  }

  // -- internals ------------------------------------------------------------------------------

  _listen() {
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => {
      // The device says the network is gone: the socket is dead even if the browser keeps it.
      if (this.stopped) return;
      this._drop();
      this._setStatus("offline");
      this._scheduleRetry();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") {
        this.hiddenAt = Date.now();
        return;
      }
      const slept = this.hiddenAt !== null && Date.now() - this.hiddenAt >= WAKE_AFTER;
      this.hiddenAt = null;
      this.reconnectNow(slept);
    });
  }

  _connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.welcomed = false;
    if (!navigator.onLine) this._setStatus("offline");
    else this._setStatus(this.state === null ? "connecting" : "reconnecting");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this._scheduleRetry();
      return;
    }
    this.socket = socket;
    let helloAt = 0;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      helloAt = performance.now();
      socket.send(JSON.stringify({ type: "hello", token: this.token, last_seq: this.lastSeq }));
      this.welcomeTimer = setTimeout(() => {
        if (socket === this.socket && !this.welcomed) this._reconnectSoon();
      }, WELCOME_TIMEOUT);
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      this._receive(frame, helloAt);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.welcomed = false;
      clearTimeout(this.welcomeTimer);
      const fatal = FATAL_CLOSES[event.code];
      if (fatal) {
        this.stop(fatal);
        return;
      }
      // The server rewrote the log (a name was erased): what we hold may contain it, so the
      // next welcome brings a whole fresh state instead of the events after our last seq.
      if (event.code === CLOSE_RELOAD) this.lastSeq = 0;
      this._setStatus(navigator.onLine ? "reconnecting" : "offline");
      this._scheduleRetry();
    };
  }

  _receive(frame, helloAt) {
    switch (frame.type) {
      case "welcome":
        this._welcome(frame, helloAt);
        break;
      case "events":
        this._events(frame.events || []);
        break;
      case "ack":
        this._answer(frame.id, (entry) => {
          if (entry.draft) this.on.onAcked?.(entry);
          entry.resolve({ seqs: frame.seqs });
        });
        break;
      case "error":
        this._error(frame);
        break;
      case "presence": {
        // The whole list (after each welcome), or who joined and left since the last frame.
        const online = Array.isArray(frame.online) ? new Set(frame.online) : new Set(this.online || []);
        if (!Array.isArray(frame.online)) {
          for (const id of frame.joined || []) online.add(id);
          for (const id of frame.left || []) online.delete(id);
        }
        this.online = online;
        this.on.onPresence?.([...online]);
        break;
      }
      case "signal":
        this.on.onSignal?.(frame);
        break;
      default:
        break;
    }
  }

  _welcome(frame, helloAt) {
    clearTimeout(this.welcomeTimer);
    const rtt = helloAt ? (performance.now() - helloAt) / 1000 : 0;
    this.offset = frame.now + rtt / 2 - Date.now() / 1000;
    if (frame.state) {
      this.state = fromSnapshot(frame.state);
      this.lastSeq = frame.seq;
    }
    this.welcomed = true;
    this.attempt = 0;
    this._setStatus("connected");
    if (frame.state) this.on.onState?.(this.state, { events: [], snapshot: true, role: frame.role });
    for (const entry of this.outbox.values()) this._write(entry.frame);
  }

  _events(events) {
    // No event arrives before the server wrote it: its time is a floor for the server's clock,
    // which corrects an estimate that lags (a slow welcome, the device's clock set back).
    const now = Date.now() / 1000;
    for (const event of events) {
      if (typeof event.at === "number") this.offset = Math.max(this.offset, event.at - now);
    }
    if (this.state === null) return;
    const applied = [];
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue; // a duplicate
      if (event.seq !== this.lastSeq + 1) {
        // A gap: something was missed. A fresh snapshot puts it right.
        this.lastSeq = 0;
        this._reconnectSoon(0);
        break;
      }
      applyEvent(this.state, event);
      this.lastSeq = event.seq;
      applied.push(event);
    }
    if (applied.length) this.on.onState?.(this.state, { events: applied, snapshot: false });
  }

  _error(frame) {
    if (frame.id === null || frame.id === undefined) {
      if (frame.code === "bad_token") this.stop("bad_token");
      return;
    }
    const entry = this.outbox.get(frame.id);
    if (!entry) return;
    if (frame.code === "not_stored" || frame.code === "rate_limited") {
      // The database hiccupped (§5), or too many at once (a resent outbox, §2): the same
      // command, same id, a little later.
      setTimeout(() => {
        if (this.welcomed && this.outbox.has(frame.id)) this._write(entry.frame);
      }, 1000);
      return;
    }
    this._answer(frame.id, (e) => e.reject({ code: frame.code, message: frame.message }));
  }

  _answer(id, settle) {
    const entry = this.outbox.get(id);
    if (!entry) return;
    this.outbox.delete(id);
    this._saveOutbox();
    settle(entry);
  }

  _write(frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    try {
      this.socket.send(JSON.stringify(frame));
    } catch {
      /* the close handler reconnects */
    }
  }

  _flushSignal(entry) {
    clearTimeout(entry.timer);
    entry.timer = null;
    if (!entry.pending) return;
    entry.last = Date.now();
    if (this.welcomed) this._write(entry.pending);
    entry.pending = null;
  }

  _drop() {
    clearTimeout(this.welcomeTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.welcomed = false;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(1000);
      } catch {
        /* already closed */
      }
    }
  }

  _reconnectSoon(delay = 0) {
    this._drop();
    this._setStatus(navigator.onLine ? "reconnecting" : "offline");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this._connect(), delay);
  }

  _scheduleRetry() {
    if (this.stopped || this.retryTimer !== null) return;
    const base = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this._connect();
    }, delay);
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.on.onStatus?.(status);
  }

  // Commands survive a reload: they are resent with their ids, so the server applies them once.
  _restoreOutbox() {
    let saved = [];
    try {
      saved = JSON.parse(localStorage.getItem(this.storageKey) || "[]");
    } catch {
      saved = [];
    }
    for (const { frame, draft } of Array.isArray(saved) ? saved : []) {
      if (frame && typeof frame.id === "string") {
        this.outbox.set(frame.id, { frame, draft: draft || null, resolve() {}, reject() {} });
      }
    }
  }

  _saveOutbox() {
    try {
      const entries = Array.from(this.outbox.values(), ({ frame, draft }) => ({ frame, draft }));
      if (entries.length) localStorage.setItem(this.storageKey, JSON.stringify(entries));
      else localStorage.removeItem(this.storageKey);
    } catch {
      /* private mode or full: the outbox still lives in memory */
    }
  }
}
