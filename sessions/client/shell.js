// The page around the tools: a compact header (title, phase, countdown, connection state, video
// link), the tool of the current phase large (tabs for facilitators) with the phase's purpose and
// instructions above it, the waiting room before the first phase, and the side column: hands and
// reactions, the facilitator console, chat, who is here (on phones one tap away, dock.js).
// Everything updates in place on every change.

import { h, replace, setText, show } from "./dom.js";
import { N_ } from "./i18n.js";
import { createTimer } from "./timer.js";
import { activePeople, createPresence, ROLE_LABELS } from "./people.js";
import { createWaitingRoom } from "./waiting.js";
import { createDock } from "./dock.js";
import { createChat } from "./chat.js";
import { createConsole, safeVideoUrl } from "./console.js";
import { TOOL_KEYS, TOOL_LABELS } from "./agenda.js";
import { AGENDA_TOOLS, VIEWS, WIDGETS } from "./tools/index.js";
import { groupOf, roomOf } from "./toolkit.js";

// The tools' views, loaded when first shown (a phase tool may show several), and the
// always-on widgets of the side column: all from the registry (tools/index.js).
const TOOL_MODULES = Object.fromEntries(AGENDA_TOOLS.map((tool) => [tool.key, tool.shows]));
const STATUS_TEXT = {
  connecting: N_("Connecting…"),
  connected: N_("Connected"),
  reconnecting: N_("Reconnecting…"),
  offline: N_("Offline"),
  stopped: N_("Disconnected"),
};
const FATAL_TEXT = {
  removed: [N_("You were removed from this session."), N_("The facilitator removed you. You can no longer take part with this link.")],
  bad_token: [N_("This link is no longer valid."), N_("Join the session again with the join code.")],
  unknown_session: [N_("This session does not exist."), N_("Check the link or the join code.")],
};
const WIDE = "(min-width: 56rem)"; // as workspace.css: two columns, no dock
const RECENT = 30; // seconds: older events (caught up after a reconnect) are not announced

export function mountShell(root, app, options = {}) {
  // -- header --
  const title = h("h1", { class: "ws-title" }, root.dataset.title || "");
  const phaseName = h("p", { class: "ws-phase-name" });
  const purpose = h("p", { class: "ws-purpose" });
  const instructions = h("p", { class: "ws-instructions" });
  // What to do in this phase: open on wide screens, one tap away on phones (the tool comes first).
  const about = h(
    "details",
    { class: "ws-about", hidden: true },
    h("summary", {}, app.t("What do we do in this phase?")),
    purpose,
    instructions,
  );
  const timer = createTimer(app);
  const statusText = h("span", { class: "ws-conn-text" });
  const pendingText = h("span", { class: "ws-conn-pending" });
  const connection = h(
    "p",
    { class: "ws-conn", "data-status": "connecting" },
    h("span", { class: "ws-conn-icon", "aria-hidden": "true" }),
    statusText,
    pendingText,
  );
  const video = h("a", { class: "button ws-video", target: "_blank", rel: "noopener noreferrer", hidden: true }, app.t("Join the video call"));
  const header = h(
    "header",
    { class: "ws-header" },
    h("div", { class: "ws-heading" }, title, connection),
    h("div", { class: "ws-phase" }, phaseName, timer.element),
    video,
  );
  const bannerText = h("span", {});
  // After the end the harvest is what is left to do (its page works after the end too); the
  // harvest phase's own view already points there.
  const harvestLink = h("a", { href: `/s/${encodeURIComponent(app.session)}/oogst`, hidden: true }, app.t("Go to the harvest"));
  const banner = h("div", { class: "ws-banner", role: "status", hidden: true }, bannerText, " ", harvestLink);

  // -- tools --
  const tablist = h("div", { class: "ws-tabs", role: "tablist", "aria-label": app.t("Tools") });
  // Named for screen readers; the tools show their own visible headings.
  const toolHeading = h("h2", { id: "ws-tool-heading", class: "ws-tool-heading visually-hidden" });
  const waiting = createWaitingRoom(app);
  const panels = h("div", { class: "ws-panels" });
  const main = h("section", { class: "ws-main", "aria-labelledby": "ws-tool-heading" }, toolHeading, tablist, waiting.element, about, panels);

  // -- side --
  const widgets = h("div", { class: "ws-widgets" });
  const presence = createPresence(app);
  const chat = createChat(app);
  const facilitatorConsole = createConsole(app, options);
  const side = h("div", { class: "ws-side" }, widgets, facilitatorConsole.element, chat.element, presence.element);
  const layout = h("div", { class: "ws-layout" }, main, side);
  // The facilitator console stays in the side column on every screen (it is the facilitator's
  // main tool); the rest of the column is one tap away on phones. The widgets' label names the
  // widgets of tools/index.js (raised hands, reactions).
  const dock = createDock(app, [
    { name: "widgets", element: widgets, label: () => app.t("Hand and reactions"), present: () => WIDGETS.length > 0 },
    { name: "chat", element: chat.element, label: chatLabel, present: () => chat.element.parentElement === side },
    {
      name: "people",
      element: presence.element,
      label: (state) => app.t("Who is here ({count})", { count: activePeople(state).length }),
      present: () => true,
    },
  ]);

  replace(root, header, banner, layout, dock.element);

  // Behind a tap, new messages would go unnoticed: the chat's button counts the ones not seen.
  let chatSeen = null; // how many messages I could read when I last saw the chat
  function chatLabel(state, isOpen) {
    const readable = state.chat.filter((message) => !message.to || message.to.includes(app.me)).length;
    if (chatSeen === null || isOpen || window.matchMedia(WIDE).matches) chatSeen = readable;
    const fresh = readable - chatSeen;
    return fresh > 0 ? app.t("Chat ({count} new)", { count: fresh }) : app.t("Chat");
  }

  const tabs = new Map(); // tool key -> {tab, panel, instances, loading}
  let manualTool = null;
  let lastPhase = undefined;
  let shownTool = null;
  let fatal = null;
  let lossTimer = null;
  let lostAnnounced = false;
  let aboutPhase = undefined;

  for (const key of TOOL_KEYS) {
    const tab = h(
      "button",
      {
        type: "button",
        role: "tab",
        id: `ws-tab-${key}`,
        "aria-controls": `ws-panel-${key}`,
        "aria-selected": "false",
        tabIndex: -1,
        onclick: () => choose(key, false),
        onkeydown: (event) => tabKey(event, key),
      },
      app.t(TOOL_LABELS[key]),
    );
    const panel = h("div", { role: "tabpanel", id: `ws-panel-${key}`, class: `ws-tool ws-tool-${key}`, "aria-labelledby": `ws-tab-${key}`, hidden: true });
    tablist.append(tab);
    panels.append(panel);
    tabs.set(key, { tab, panel, instances: [], loading: false });
  }

  function choose(key, focus) {
    manualTool = key;
    render();
    if (focus) tabs.get(key).tab.focus();
  }

  function tabKey(event, key) {
    const index = TOOL_KEYS.indexOf(key);
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (index + 1) % TOOL_KEYS.length;
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (index - 1 + TOOL_KEYS.length) % TOOL_KEYS.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = TOOL_KEYS.length - 1;
    if (next === null) return;
    event.preventDefault();
    choose(TOOL_KEYS[next], true);
  }

  function ensureMounted(key) {
    const entry = tabs.get(key);
    if (entry.loading) return;
    entry.loading = true;
    for (const name of TOOL_MODULES[key]) {
      const slot = h("div", { class: `ws-tool-slot ws-slot-${name}` }, h("p", { class: "hint" }, app.t("Loading…")));
      entry.panel.append(slot);
      load(slot, name, VIEWS[name], entry.instances);
    }
  }

  /** Mount a tool's view (or widget) in its slot once loaded; a tool that fails says so there. */
  function load(slot, name, loader, instances) {
    loader()
      .then((module) => {
        slot.replaceChildren();
        const instance = module.mount(slot, app);
        instances.push(instance);
        if (app.state) instance?.update?.(app.state);
      })
      .catch((error) => {
        console.error(`tool ${name}`, error);
        replace(slot, h("p", { class: "hint" }, app.t("This tool is not available yet.")));
      });
  }

  // The side column's widgets (raised hands, …): mounted at once, updated on every change.
  const widgetInstances = [];
  for (const widget of WIDGETS) {
    const slot = h("div", { class: `ws-widget ws-widget-${widget.name}` });
    widgets.append(slot);
    load(slot, widget.name, widget.load, widgetInstances);
  }

  function currentTool(state) {
    const phase = state.phase === null ? null : state.phases[state.phase];
    return phase ? phase.tool : null;
  }

  function render() {
    const state = app.state;
    if (!state || fatal) return;
    const canFacilitate = app.canFacilitate();
    const phaseTool = currentTool(state);
    if (state.phase !== lastPhase) {
      lastPhase = state.phase;
      manualTool = null; // a new phase: show its tool
    }
    let key = canFacilitate ? manualTool || phaseTool || "board" : phaseTool;
    if (key && !tabs.has(key)) key = "board";
    show(tablist, canFacilitate);
    const inWaitingRoom = !key && !state.ended;
    show(waiting.element, inWaitingRoom);
    if (inWaitingRoom) waiting.update(state);
    // The waiting room's heading is visible; a tool's heading is for screen readers only (the
    // tools show their own).
    toolHeading.classList.toggle("visually-hidden", !inWaitingRoom);
    setText(toolHeading, key ? app.t(TOOL_LABELS[key]) : inWaitingRoom ? app.t("Waiting room") : app.t("Waiting"));
    for (const [toolKey, entry] of tabs) {
      const selected = toolKey === key;
      entry.tab.setAttribute("aria-selected", String(selected));
      entry.tab.tabIndex = selected ? 0 : -1;
      entry.tab.classList.toggle("is-phase-tool", toolKey === phaseTool);
      show(entry.panel, selected);
      // Without tabs (participants) a panel is a plain part of the tool section.
      if (canFacilitate) {
        entry.panel.setAttribute("role", "tabpanel");
        entry.panel.setAttribute("aria-labelledby", `ws-tab-${toolKey}`);
      } else {
        entry.panel.removeAttribute("role");
        entry.panel.removeAttribute("aria-labelledby");
      }
      if (selected) ensureMounted(toolKey);
    }
    // The chat lives in the side column, or in the main area when it is the phase's tool.
    const chatHome = key === "chat" ? tabs.get("chat").panel : side;
    if (chat.element.parentElement !== chatHome) {
      if (key === "chat") chatHome.append(chat.element);
      else side.insertBefore(chat.element, presence.element);
    }
    if (key !== shownTool) shownTool = key;
    const entry = key ? tabs.get(key) : null;
    updateEach(entry ? entry.instances : [], state);

    // header
    setText(title, state.title);
    document.title = `${state.title} · Werkplaats`;
    const phase = state.phase === null ? null : state.phases[state.phase];
    // After the end the header says only "Ended": the banner below says what that means.
    if (state.ended) setText(phaseName, app.t("Ended"));
    else if (phase) setText(phaseName, app.t("Phase {number} of {total}: {name}", { number: state.phase + 1, total: state.phases.length, name: phase.name }));
    else setText(phaseName, app.t("Not started yet"));
    const running = phase && !state.ended;
    setText(purpose, running ? phase.purpose : "");
    setText(instructions, running ? phase.instructions : "");
    show(purpose, Boolean(running && phase.purpose));
    show(instructions, Boolean(running && phase.instructions));
    show(about, Boolean(running && (phase.purpose || phase.instructions)));
    if (state.phase !== aboutPhase) {
      aboutPhase = state.phase;
      about.open = window.matchMedia(WIDE).matches;
    }
    timer.update(state);
    // In a breakout group with a room of its own: that room; otherwise (and after the groups are
    // called back) the session's link.
    const mine = groupOf(state, app.me);
    const room = mine ? safeVideoUrl(roomOf(state, mine)) : null;
    const url = room || safeVideoUrl(state.video_url);
    show(video, Boolean(url));
    if (url && video.href !== url) video.href = url;
    setText(video, room ? app.t("Your group's video room") : app.t("Join the video call"));
    video.classList.toggle("ws-video-group", Boolean(room));

    show(banner, state.ended);
    if (state.ended) setText(bannerText, app.t("The session has ended. You can still read everything and chat."));
    show(harvestLink, state.ended && app.role() === "participant" && phaseTool !== "harvest");

    show(facilitatorConsole.element, canFacilitate);
    if (canFacilitate) facilitatorConsole.update(state);
    updateEach(widgetInstances, state);
    presence.update(state);
    chat.update(state);
    dock.update(state);
  }

  function updateEach(instances, state) {
    for (const instance of instances) {
      // One tool failing must not take the header, the widgets and chat down with it.
      try {
        instance?.update?.(state);
      } catch (error) {
        console.error(error);
      }
    }
  }

  function announceEvents(state, events) {
    const now = app.serverNow();
    for (const event of events) {
      if (now - event.at > RECENT) continue;
      const body = event.body;
      switch (body.type) {
        case "phase.started": {
          const phase = state.phases[body.index];
          if (phase) app.announce(app.t("Phase {name} has started.", { name: phase.name }));
          break;
        }
        case "phase.paused":
          app.announce(app.t("The timer is paused."));
          break;
        case "phase.resumed":
          app.announce(app.t("The timer runs again."));
          break;
        case "phase.extended":
          app.announce(app.t("The time of this phase was changed."));
          break;
        case "session.ended":
          app.announce(app.t("The session has ended."));
          break;
        case "hand.raised":
          if (event.actor === app.me) app.announce(app.t("Your hand is raised."));
          else if (event.actor) app.announce(app.t("{name} raised their hand.", { name: app.nameOf(event.actor) }));
          break;
        case "hand.lowered":
          if (body.participant === app.me) app.announce(app.t("Your hand is lowered."));
          break;
        case "role.changed":
          if (body.participant === app.me) app.announce(app.t("Your role is now: {role}.", { role: app.t(ROLE_LABELS[body.role] || body.role) }));
          break;
        case "agenda.set":
          app.announce(app.t("The agenda was changed."));
          break;
        default:
          break;
      }
    }
  }

  return {
    update(state, info = {}) {
      if (info.events && info.events.some((e) => e.body.type === "participant.removed" && e.body.participant === app.me)) {
        this.fatal("removed");
        return;
      }
      if (state.people?.[app.me]?.removed) {
        this.fatal("removed");
        return;
      }
      render();
      if (info.events) announceEvents(state, info.events);
    },
    status(status, pending) {
      connection.dataset.status = status;
      setText(statusText, app.t(STATUS_TEXT[status] || status));
      setText(pendingText, pending && status !== "connected" ? ` · ${app.t("{count} not sent yet", { count: pending })}` : "");
      if (status === "connected") {
        clearTimeout(lossTimer);
        lossTimer = null;
        if (lostAnnounced) app.announce(app.t("Connected again."));
        lostAnnounced = false;
      } else if ((status === "reconnecting" || status === "offline") && lossTimer === null && !lostAnnounced) {
        // A blip of a second is not worth an interruption.
        lossTimer = setTimeout(() => {
          lossTimer = null;
          if (!fatal && connection.dataset.status !== "connected") {
            lostAnnounced = true;
            app.announceUrgent(app.t("The connection is lost. We keep trying to reconnect; what you type is kept."));
          }
        }, 2000);
      }
    },
    fatal(reason) {
      if (fatal) return;
      fatal = reason;
      const [headline, detail] = FATAL_TEXT[reason] || FATAL_TEXT.bad_token;
      const message = h(
        "div",
        { class: "ws-fatal", role: "alert" },
        h("h2", {}, app.t(headline)),
        h("p", {}, app.t(detail)),
        reason === "removed" ? null : h("p", {}, h("a", { href: "/join" }, app.t("Go to the join page"))),
      );
      replace(root, h("header", { class: "ws-header" }, h("div", { class: "ws-heading" }, title, connection)), message);
    },
    chatAcked(frame) {
      chat.acked?.(frame);
    },
  };
}
