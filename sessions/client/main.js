// The workspace: builds `app` (the interface the tools use, see the shared contract), connects,
// and mounts the shell. No build step: plain ES modules, loaded by the page.

import { h } from "./dom.js";
import { loadStrings, t } from "./i18n.js";
import { Connection } from "./connection.js";
import { makeDrafts } from "./drafts.js";
import { mountShell } from "./shell.js";

const FACILITATING = new Set(["facilitator", "co-facilitator"]);

function start() {
  const root = document.getElementById("workspace");
  if (!root) return;
  loadStrings();
  const { session, participant: me, token, websocket } = root.dataset;
  const url = new URL(websocket, window.location.href);
  url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
  const polite = document.getElementById("ws-live-polite");
  const assertive = document.getElementById("ws-live-assertive");
  const signalListeners = new Set();
  const eventListeners = new Set();
  let connection = null;

  function speak(region, text) {
    if (!region || !text) return;
    // A new node per message: screen readers read each addition, also a repeated text.
    const line = h("p", {}, text);
    region.append(line);
    setTimeout(() => line.remove(), 10000);
  }

  const app = {
    get state() {
      return connection.state;
    },
    me,
    session,
    online: null, // Set of connected participant ids, once the server has said
    role() {
      return connection.state?.people?.[me]?.role ?? null;
    },
    canFacilitate() {
      return FACILITATING.has(app.role());
    },
    send(type, fields = {}, options = {}) {
      const answer = connection.send(type, fields, options);
      // The connection state also says how many changes wait to be sent.
      const count = () => shell.status(connection.status, connection.pending());
      count();
      answer.then(count, count);
      return answer;
    },
    signal(kind, ref = null, x = null, y = null) {
      connection.signal(kind, ref, x, y);
    },
    onSignal(fn) {
      signalListeners.add(fn);
      return () => signalListeners.delete(fn);
    },
    // The events just folded, before the views update: for what a state cannot say, such as
    // which notes were revealed this moment (to draw their arrival).
    onEvents(fn) {
      eventListeners.add(fn);
      return () => eventListeners.delete(fn);
    },
    t,
    h,
    draft: makeDrafts(`werkplaats:draft:${session}:${me}`),
    announce(text) {
      speak(polite, text);
    },
    announceUrgent(text) {
      speak(assertive, text);
    },
    nameOf(id) {
      const person = connection.state?.people?.[id];
      return person ? person.name : t("anonymous");
    },
    myGroup() {
      const breakouts = connection.state?.breakouts;
      if (!breakouts || !breakouts.open) return null;
      for (const [group, members] of Object.entries(breakouts.groups || {})) {
        if (members.includes(me)) return group;
      }
      return null;
    },
    serverNow() {
      return connection.serverNow();
    },
    connected() {
      return connection.status === "connected";
    },
  };

  const shell = mountShell(root, app, {
    joinCode: root.dataset.joinCode,
    joinUrl: root.dataset.joinUrl,
    outcomeUrl: root.dataset.outcomeUrl,
  });
  connection = new Connection({
    url: url.href,
    token,
    storageKey: `werkplaats:outbox:${session}:${me}`,
    onState(state, info) {
      if (info && info.events) {
        for (const fn of eventListeners) {
          try {
            fn(info.events, state);
          } catch (error) {
            console.error(error);
          }
        }
      }
      shell.update(state, info);
    },
    onStatus(status) {
      shell.status(status, connection.pending());
    },
    onPresence(ids) {
      app.online = new Set(ids);
      if (connection.state) shell.update(connection.state, {});
    },
    onSignal(signal) {
      for (const fn of signalListeners) {
        try {
          fn(signal);
        } catch (error) {
          console.error(error);
        }
      }
    },
    onAcked(entry) {
      app.draft(entry.draft).clear();
      shell.chatAcked(entry.frame);
    },
    onFatal(reason) {
      shell.fatal(reason);
    },
  });
  window.werkplaats = app; // for the browser console and the tests
  connection.start();
  shell.status(connection.status, connection.pending());
}

start();
