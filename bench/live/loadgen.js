#!/usr/bin/env node
// Load generator for bench/live/run.py: many websocket clients of one live session.
//
//   node loadgen.js '<json config>'
//
// It is driven by run.py over stdin/stdout, one JSON object per line:
//
//   out {"event":"joined"}                      participants joined over HTTP (werkplaats)
//   in  {"cmd":"connect"}                       open every websocket (hello, wait for welcome)
//   out {"event":"ready", ...}
//   in  {"cmd":"step", "step":k, "rate":R, "start":ms, "warmup":s, "duration":s, "drain":s}
//   out {"event":"step", ...}                   what this process sent, received and spent
//   in  {"cmd":"close"}                         close every websocket and exit
//
// Latency: every sender puts the *scheduled* send time (wall clock, ms, from
// performance.timeOrigin + performance.now(), so several processes agree) in the text of its
// command. Every receiver takes it back out of the events it gets and records now - scheduled
// in a histogram of 0.1 ms buckets. The load is open-loop: a late send is charged to latency,
// and `lag` says how late this process was in sending (the generator's own health).
'use strict';

const WebSocket = require('ws');
const readline = require('node:readline');
const { performance } = require('node:perf_hooks');

const config = JSON.parse(process.argv[2]);
const {
  mode, // "werkplaats" | "baseline"
  worker = 0, // this process's number, for unique ids
  clients: CLIENTS, // websockets in this process
  senders: SENDERS, // how many of them send
  deflate = false, // offer permessage-deflate (browsers do)
} = config;

const BUCKET_MS = 0.1;
const BUCKETS = 10 * 1000 * 10; // up to 10 s; later arrivals go in the last bucket
const now = () => performance.timeOrigin + performance.now();
const out = (object) => process.stdout.write(JSON.stringify(object) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const conns = []; // {ws, token, participant, note, welcome}
let hist = new Uint32Array(BUCKETS);
let received = 0; // measured deliveries, all connections of this process
let warmReceived = 0;
let errors = 0;
let errorSamples = [];
let closes = 0;
let closeCodes = {};
let frames = 0;
let checked = 0;
let checkFailures = 0;
let currentStep = -1;
let closing = false;
let setup = false;
const setupNotes = new Map(); // text of a sender's note -> its id

// B<step>:<worker>:<n>:<ms> marks a measured command, W… one sent during the warm-up.
const MARK = /"([BW])(\d+):\d+:\d+:(\d+\.\d+)"/g;

function onFrame(conn, data) {
  const text = data.toString();
  frames += 1;
  if (text.startsWith('{"type":"error"')) {
    errors += 1;
    if (errorSamples.length < 5) errorSamples.push(text.slice(0, 300));
    return;
  }
  if (conn.waiting) {
    conn.waiting(text);
  }
  if (setup && text.startsWith('{"type":"events"')) {
    for (const event of JSON.parse(text).events) {
      if (event.body.type === 'note.added') setupNotes.set(event.body.text, event.body.note);
    }
    return;
  }
  const t = now();
  let count = 0;
  MARK.lastIndex = 0;
  let match;
  while ((match = MARK.exec(text)) !== null) {
    count += 1;
    if (Number(match[2]) !== currentStep) continue; // a straggler from an earlier step
    if (match[1] === 'W') {
      warmReceived += 1;
      continue;
    }
    const latency = t - Number(match[3]);
    let bucket = Math.floor(latency / BUCKET_MS);
    if (bucket < 0) bucket = 0;
    if (bucket >= BUCKETS) bucket = BUCKETS - 1;
    hist[bucket] += 1;
    received += 1;
  }
  // Check the cheap scan against a real parse on one frame in 50.
  if (count > 0 && frames % 50 === 0) {
    checked += 1;
    const frame = JSON.parse(text);
    const events = frame.type === 'events' ? frame.events : [];
    const marked = events.filter((e) => /^[BW]\d+:/.test((e.body && e.body.text) || '')).length;
    if (marked !== count) checkFailures += 1;
  }
}

function connect(url, conn) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflate, maxPayload: 64 * 1024 * 1024 });
    conn.ws = ws;
    ws.on('message', (data) => onFrame(conn, data));
    ws.on('close', (code) => {
      if (!closing) {
        closes += 1;
        closeCodes[code] = (closeCodes[code] || 0) + 1;
      }
    });
    ws.on('error', (error) => reject(error));
    ws.on('open', () => resolve(ws));
  });
}

// Wait for the first frame that satisfies `test` on this connection.
function waitFor(conn, test, ms = 30000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.waiting = null;
      reject(new Error('timed out waiting for a frame'));
    }, ms);
    conn.waiting = (text) => {
      const value = test(text);
      if (value !== undefined && value !== null && value !== false) {
        clearTimeout(timer);
        conn.waiting = null;
        resolve(value);
      }
    };
  });
}

async function pool(items, limit, fn) {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

async function join() {
  for (let i = 0; i < CLIENTS; i++) conns.push({ index: i, waiting: null });
  if (mode !== 'werkplaats') return;
  await pool(conns, 16, async (conn, i) => {
    const response = await fetch(`${config.http}/api/sessions/${config.code}/join`, {
      method: 'POST',
      // Each client from its own address (uvicorn trusts X-Forwarded-For from loopback): one
      // address adds at most 60 participants to a session (sessions/joins.py).
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': `10.${worker % 256}.${(i >> 8) & 255}.${i & 255}`,
      },
      body: JSON.stringify({ name: `Deelnemer ${worker}-${i}` }),
    });
    if (response.status !== 201) throw new Error(`join: ${response.status} ${await response.text()}`);
    const body = await response.json();
    conn.token = body.token;
    conn.participant = body.participant;
    conn.path = body.websocket;
  });
}

async function connectAll() {
  const started = now();
  // hello with last_seq 0 gets the whole state in the welcome; with `resumeHello`, every
  // client but the first says it already has the current seq, and gets a welcome without it.
  let lastSeq = 0;
  const greet = async (conn) => {
    if (mode === 'werkplaats') {
      const url = config.ws + conn.path;
      await connect(url, conn);
      const welcome = waitFor(conn, (text) => (text.startsWith('{"type":"welcome"') ? text : null));
      conn.ws.send(JSON.stringify({ type: 'hello', token: conn.token, last_seq: lastSeq }));
      conn.welcome = JSON.parse(await welcome).seq;
    } else {
      await connect(config.ws, conn);
    }
  };
  if (config.resumeHello && conns.length) {
    await greet(conns[0]);
    lastSeq = conns[0].welcome;
  }
  await pool(config.resumeHello ? conns.slice(1) : conns, config.connectConcurrency || 16, greet);
  // Each sender owns one note and edits it: a board holds at most 2,000 notes, edits are
  // unbounded, and note.edited carries the text with the timestamp back to every receiver.
  if (mode === 'werkplaats') {
    setup = true;
    await pool(conns.slice(0, SENDERS), 4, async (conn) => {
      const text = `Briefje ${worker}-${conn.index}`;
      conn.ws.send(JSON.stringify({ type: 'note.add', id: `setup-${worker}-${conn.index}`, text }));
      const deadline = now() + 30000;
      while (!setupNotes.has(text)) {
        if (now() > deadline) throw new Error(`no note.added for ${text}`);
        await sleep(5);
      }
      conn.note = setupNotes.get(text);
    });
    setup = false;
  }
  return now() - started;
}

function command(conn, step, n, scheduled, warm) {
  const mark = `${warm ? 'W' : 'B'}${step}:${worker}:${n}:${scheduled.toFixed(3)}`;
  if (mode === 'werkplaats') {
    return JSON.stringify({ type: 'note.edit', id: `c${step}-${worker}-${n}`, note: conn.note, text: mark });
  }
  return JSON.stringify({ type: 'note.edit', id: `c${step}-${worker}-${n}`, note: 'n', text: mark });
}

async function runStep(message) {
  const { step, rate, start, warmup, duration, drain } = message;
  currentStep = step;
  hist = new Uint32Array(BUCKETS);
  received = 0;
  warmReceived = 0;
  errors = 0;
  errorSamples = [];
  const closesBefore = closes;
  const senders = conns.slice(0, SENDERS).filter((c) => c.ws.readyState === WebSocket.OPEN);
  const total = Math.round(rate * (warmup + duration));
  const warmCount = Math.round(rate * warmup);
  const interval = 1000 / rate;
  let sent = 0;
  const lags = [];
  while (now() < start - 2) await sleep(Math.max(0, start - now() - 2));
  while (now() < start) {} // eslint-disable-line no-empty
  let cpu = null;
  let measureStart = null;
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      const due = Math.min(total, Math.floor((t - start) / interval) + 1);
      while (sent < due) {
        const scheduled = start + sent * interval;
        if (sent === warmCount) {
          cpu = process.cpuUsage();
          measureStart = now();
        }
        const warm = sent < warmCount;
        if (!warm) lags.push(t - scheduled);
        const conn = senders[sent % senders.length];
        conn.ws.send(command(conn, step, sent, scheduled, warm));
        sent += 1;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - now())));
    };
    tick();
  });
  if (cpu === null) {
    cpu = process.cpuUsage();
    measureStart = now();
  }
  return { step, sent, measuredSent: total - warmCount, lags, cpu, measureStart, closesBefore, drain };
}

async function finishStep(state, expectedPerProcess) {
  // Wait until every measured event reached every local receiver, or the drain time is over.
  const deadline = now() + state.drain * 1000;
  while (received < expectedPerProcess && now() < deadline) await sleep(5);
  const sendEnd = now();
  const cpu = process.cpuUsage(state.cpu);
  state.lags.sort((a, b) => a - b);
  const nonzero = [];
  for (let i = 0; i < hist.length; i++) if (hist[i] !== 0) nonzero.push([i, hist[i]]);
  return {
    event: 'step',
    step: state.step,
    sent: state.sent,
    measured_sent: state.measuredSent,
    received,
    warm_received: warmReceived,
    hist: nonzero,
    bucket_ms: BUCKET_MS,
    errors,
    error_samples: errorSamples,
    closes: closes - state.closesBefore,
    close_codes: closeCodes,
    cpu_user_ms: cpu.user / 1000,
    cpu_system_ms: cpu.system / 1000,
    wall_ms: sendEnd - state.measureStart,
    lag_p99_ms: percentile(state.lags, 0.99),
    lag_max_ms: state.lags.length ? state.lags[state.lags.length - 1] : 0,
    checked,
    check_failures: checkFailures,
    open: conns.filter((c) => c.ws && c.ws.readyState === WebSocket.OPEN).length,
  };
}

function percentile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  await join();
  out({ event: 'joined', clients: conns.length });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const message = JSON.parse(line);
    if (message.cmd === 'connect') {
      const seconds = (await connectAll()) / 1000;
      out({
        event: 'ready',
        clients: conns.length,
        senders: SENDERS,
        connect_s: seconds,
        welcome_seq: conns.length ? conns[0].welcome : null,
        open: conns.filter((c) => c.ws.readyState === WebSocket.OPEN).length,
      });
    } else if (message.cmd === 'step') {
      const state = await runStep(message);
      out(await finishStep(state, message.expected));
    } else if (message.cmd === 'close') {
      closing = true;
      for (const conn of conns) if (conn.ws) conn.ws.close(1000);
      await sleep(200);
      for (const conn of conns) if (conn.ws) conn.ws.terminate();
      out({ event: 'closed' });
      process.exit(0);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`loadgen: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
