// The browser SDK's page layer (SPEC C12): impressions of elements a visitor actually saw, interactions,
// recommendations, and getting them to the edge once, through retries, offline spells, page unloads and
// many tabs. The batching, body limits and backoff are freshet-core.mjs's; this file is the browser's
// side of it: IntersectionObserver, page lifecycle events, fetch/sendBeacon, localStorage, Web Locks.
//
// The edge serves this file as /sdk/freshet.mjs, and builds the classic script /sdk/freshet.js from
// freshet-core.mjs and this file at startup, textually, by these rules (both files keep to them):
//   1. the lines of freshet-core.mjs, then those of freshet.mjs, each ending in "\n";
//   2. a line starting with `import ` (this file's one import of the core) is left out;
//   3. a line starting with `export default ` and ending with `;` becomes `globalThis.Freshet = `
//      followed by what came after `export default `;
//   4. any other line starting with `export ` loses that prefix (only `export function`,
//      `export async function`, `export class` and `export const` are used);
//   5. the result is wrapped: `(function () {\n"use strict";\n` before it, `})();\n` after it.
// The two files then share one scope, so no top-level name may be declared in both. The Node tests
// apply these rules and run the result (http/src/test/js/freshet.test.mjs).
import { EventOutbox, MAX_BYTES, Outbox, byteLength } from "./freshet-core.mjs";

/** SPEC.md's id rule, for users, items and ranking ids. */
const ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const ID_RULE = "1-128 characters of [A-Za-z0-9._:@-]";
const EVENT_TYPES = "impression click like dislike skip favorite share purchase dwell".split(" ");
const MAX_DWELL_MS = 24 * 3_600_000;
const MAX_K = 200;
/** Items of fetched rankings remembered for observe(): a few pages of recommendations. */
const MAX_RANKED = 1000;
/** Some browsers fire visibilitychange twice in a row when a page goes away. */
const HIDDEN_DEBOUNCE_MS = 100;
/** The stored queue of one tab; beyond it the oldest entries are dropped (localStorage holds ~5 MB). */
const MAX_STORED_BYTES = 1024 * 1024;
/** Acknowledged impressions kept in storage, so that the next page does not send them again. */
const STORED_ACKNOWLEDGED = 2_000;
/** Without Web Locks a tab proves it is alive by a timestamp; hidden tabs' timers run once a minute. */
const HEARTBEAT_MS = 30_000;
const STALE_MS = 3 * 60_000;
/** Browsers round intersection ratios: half of an element may be reported as 0.4999. */
const RATIO_SLACK = 0.001;

const warned = new Set();
let session = null;

/**
 * Starts the SDK for one user: options {endpoint, key, userId, surface?, threshold = 0.5,
 * minVisibleMs = 1000, flushIntervalMs = 2000, storage = localStorage (null: keep nothing),
 * window = globalThis, now = Date.now}. Called again (another user logs in), it first shuts the
 * running session down, which sends what waits. Throws a TypeError naming a bad option.
 */
export function init(options) {
  const settings = settingsOf(options);
  if (session !== null) session.shutdown();
  session = new Session(settings);
  session.start();
}

/** Records an impression of `itemId` once `element` has been visible enough for long enough. */
export function observe(element, itemId, { rankingId, position } = {}) {
  current().observe(element, itemId, { rankingId, position });
}

export function unobserve(element) {
  if (session !== null) session.unobserve(element);
}

/** Records an interaction: type is one of EVENT_TYPES; dwell needs `value` (ms), others take none. */
export function track(type, itemId, { intent, value, rankingId, position } = {}) {
  current().track(type, itemId, { intent, value, rankingId, position });
}

/**
 * The user's recommendations (`GET /v1/users/{userId}/recommendations`; the key needs the rank scope
 * as well as ingest): {rankingId, variant, items: [{id, score, position, reason}]}. Rejects with an
 * Error carrying `status` and `code` when the edge refuses.
 */
export async function recommend({ k = 20, category } = {}) {
  return current().recommend(k, category);
}

/** Sends what waits now; resolves when those requests have been answered (or failed). */
export function flush() {
  return session === null ? Promise.resolve() : session.sendDue();
}

/** A copy of the counters: {queued, flushed, failed, retried, dropped, pending}. */
export function telemetry() {
  return session === null ? countersOf([]) : session.telemetry();
}

/**
 * Stops observing, removes every listener and timer, sends what waits, and resolves when the answers
 * are in and the stored queue is handed over (to the next `init`, another tab or the next page).
 */
export function shutdown() {
  const stopping = session;
  session = null;
  return stopping === null ? Promise.resolve() : stopping.shutdown();
}

function current() {
  if (session === null) throw new Error("Freshet: call Freshet.init first");
  return session;
}

/** The options of `init`, checked, with their defaults. */
function settingsOf(options) {
  check("init", "options", options !== null && typeof options === "object", "an object");
  const win = options.window ?? globalThis;
  const settings = {
    endpoint: endpointOf(options.endpoint),
    key: options.key,
    userId: options.userId,
    surface: options.surface ?? null,
    threshold: options.threshold ?? 0.5,
    minVisibleMs: options.minVisibleMs ?? 1000,
    flushIntervalMs: options.flushIntervalMs ?? 2000,
    storage: options.storage !== undefined ? options.storage : localStorageOf(win),
    window: win,
    now: options.now ?? (() => Date.now()),
  };
  const { key, userId, surface, threshold, storage } = settings;
  // a key must fit in a header; the edge's keys are visible ASCII
  check("init", "key", typeof key === "string" && /^[\x21-\x7e]+$/.test(key), "an ingest key");
  check("init", "userId", isId(userId), ID_RULE);
  check("init", "surface", surface === null || isText(surface, 64), "1-64 characters of text");
  const ratio = typeof threshold === "number" && threshold >= 0 && threshold <= 1;
  check("init", "threshold", ratio, "a number from 0 to 1");
  check("init", "minVisibleMs", isDuration(settings.minVisibleMs), "milliseconds, 0 or more");
  check("init", "flushIntervalMs", isDuration(settings.flushIntervalMs), "milliseconds, 0 or more");
  check("init", "storage", storage === null || typeof storage?.getItem === "function", "a Storage");
  check("init", "now", typeof settings.now === "function", "a function");
  return settings;
}

function endpointOf(value) {
  let url = null;
  try {
    url = new URL(value);
  } catch {
    // refused below, under the option's name
  }
  const ok = url !== null && /^https?:$/.test(url.protocol) && !url.search && !url.hash;
  check("init", "endpoint", ok, "an http(s) URL without query or fragment");
  return url.href.replace(/\/+$/, "");
}

/** localStorage, or null where reading it throws (storage disabled, sandboxed frames). */
function localStorageOf(win) {
  try {
    return win.localStorage ?? null;
  } catch {
    return null;
  }
}

function check(method, name, ok, what) {
  if (!ok) throw new TypeError(`Freshet.${method}: ${name} must be ${what}`);
}

function isDuration(ms) {
  return Number.isFinite(ms) && ms >= 0;
}

/**
 * Text the edge stores: no control characters and no lone UTF-16 surrogate, which it refuses with a
 * 400 that would drop the whole batch.
 */
function isText(value, maxLength) {
  return (
    typeof value === "string" &&
    value.length >= 1 &&
    value.length <= maxLength &&
    !/[\u0000-\u001f\u007f-\u009f]/.test(value) &&
    !/[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/.test(value)
  );
}

function isPosition(value) {
  return value === undefined || value === null || (Number.isInteger(value) && value >= 0);
}

function isId(value) {
  return typeof value === "string" && ID.test(value);
}

function isOptionalId(value) {
  return value === undefined || value === null || isId(value);
}

/** An Idempotency-Key or tab id: random, and visible ASCII as the edge requires. */
function randomId(crypto) {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reports a failure in a callback once per kind: a page's console is not a log to flood. */
function warnOnce(kind, ...details) {
  if (warned.has(kind)) return;
  warned.add(kind);
  console.warn(`Freshet: ${kind}`, ...details);
}

/** `fn`, never throwing into the browser's event loop (observer callbacks, listeners, timers). */
function guarded(kind, fn) {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      warnOnce(kind, error);
      return undefined;
    }
  };
}

function countersOf(queues) {
  const counters = { queued: 0, flushed: 0, failed: 0, retried: 0, dropped: 0, pending: 0 };
  for (const queue of queues) {
    for (const name of Object.keys(queue.telemetry)) counters[name] += queue.telemetry[name];
    counters.pending += queue.size();
  }
  return counters;
}

/**
 * One `init`'s state. Its stored queue lives under `freshet:v1:<endpoint>:<tabId>`, owned while the
 * tab holds the Web Lock of that name (or, without Web Locks, while its heartbeat is fresh); a stored
 * queue nobody owns is adopted, under its lock, and sent with the keys it was stored with.
 */
class Session {
  constructor(settings) {
    this.config = settings;
    this.win = settings.window;
    this.nav = this.win.navigator ?? {};
    this.now = settings.now;
    const newKey = () => randomId(this.win.crypto);
    this.impressions = new Outbox({ newKey });
    this.events = new EventOutbox({ newKey });
    // events first: a page going away may send only about 64 KiB, and a few clicks are worth more
    // of it than the last of a long backlog of impressions (what is left waits for the next page)
    this.routes = [
      [this.events, "/v1/events"],
      [this.impressions, "/v1/impressions"],
    ];
    this.prefix = `freshet:v1:${encodeURIComponent(settings.endpoint)}:`;
    this.storeKey = this.prefix + newKey();
    this.watched = new Map(); // element → {itemId, rankingId, position, visible, timer}
    this.ranked = new Map(); // itemId → {rankingId, position} of the latest recommend() showing it
    this.observer = null;
    this.timers = { flush: null, hidden: null, retry: null, heartbeat: null };
    this.inFlight = new Set(); // keys of batches whose request has not been answered
    this.keepaliveBytes = 0; // browsers allow 64 KiB of keepalive bodies in flight, in all
    this.cleanups = [];
    this.channel = null;
    this.owner = false; // may write this tab's stored queue
    this.releaseLock = null;
    this.closed = false;
    this.gone = false; // the page was hidden for good (pagehide) or the session shut down
    this.changeQueued = false;
  }

  start() {
    this.listen(this.win.document, "visibilitychange", () => this.visibilityChanged());
    this.listenForPagehide();
    this.listen(this.win, "pageshow", (event) => event.persisted && this.shownAgain());
    this.listen(this.win, "online", () => this.sendDue());
    this.openChannel();
    if (this.config.storage === null) return;
    this.learnFromStores();
    if (typeof this.nav.locks?.request === "function") this.holdLock();
    else this.ownWithoutLocks();
  }

  // --- impressions and events ---

  observe(element, itemId, { rankingId, position }) {
    check("observe", "element", element !== null && typeof element === "object", "an Element");
    check("observe", "itemId", isId(itemId), ID_RULE);
    check("observe", "rankingId", isOptionalId(rankingId), ID_RULE);
    check("observe", "position", isPosition(position), "an integer, 0 or more");
    const observer = this.observerOf();
    if (observer === null) return;
    // an item of a ranking recommend() fetched is shown in that ranking's context, unless told
    // otherwise: clicks and impressions then join to the ranking and its position
    const ranked = rankingId === undefined ? this.ranked.get(itemId) : undefined;
    if (ranked !== undefined) {
      rankingId = ranked.rankingId;
      position = position ?? ranked.position;
    }
    // observing anew (an element reused for another item) starts over; the observer reports it anew
    this.unobserve(element);
    this.watched.set(element, { itemId, rankingId, position, visible: false, timer: null });
    observer.observe(element);
  }

  unobserve(element) {
    const watched = this.watched.get(element);
    if (watched === undefined) return;
    this.win.clearTimeout(watched.timer);
    this.watched.delete(element);
    this.observer.unobserve(element);
  }

  observerOf() {
    if (this.observer === null) {
      const Observer = this.win.IntersectionObserver;
      if (typeof Observer !== "function") {
        warnOnce("no IntersectionObserver here: impressions are not recorded");
        return null;
      }
      // steps of a tenth as well, for elements taller than the viewport (see visibleEnough)
      const steps = Array.from({ length: 11 }, (_, i) => i / 10);
      const threshold = [...new Set([...steps, this.config.threshold])].sort((a, b) => a - b);
      const callback = guarded("observer", (entries) => this.intersected(entries));
      this.observer = new Observer(callback, { threshold });
    }
    return this.observer;
  }

  intersected(entries) {
    for (const entry of entries) {
      const watched = this.watched.get(entry.target);
      if (watched === undefined) continue;
      watched.visible = this.visibleEnough(entry);
      if (!watched.visible) {
        this.win.clearTimeout(watched.timer);
        watched.timer = null; // leaving view resets the time seen
      } else if (watched.timer === null && !this.hidden()) {
        this.startViewing(entry.target, watched);
      }
    }
  }

  /**
   * At least `threshold` of the element is in view, or, for an element too tall to ever show that
   * much, it covers at least `threshold` of the viewport.
   */
  visibleEnough(entry) {
    if (!entry.isIntersecting) return false;
    const needed = this.config.threshold - RATIO_SLACK;
    if (entry.intersectionRatio >= needed) return true;
    const root = entry.rootBounds;
    const seen = entry.intersectionRect;
    if (!root || !seen || root.width * root.height === 0) return false;
    return (seen.width * seen.height) / (root.width * root.height) >= needed;
  }

  startViewing(element, watched) {
    watched.timer = this.later(this.config.minVisibleMs, () => this.seen(element));
  }

  hidden() {
    return this.win.document?.visibilityState === "hidden";
  }

  /** A hidden page shows nothing: the time seen starts again when it is shown. */
  pauseViewing() {
    for (const watched of this.watched.values()) {
      this.win.clearTimeout(watched.timer);
      watched.timer = null;
    }
  }

  resumeViewing() {
    for (const [element, watched] of this.watched) {
      if (watched.visible && watched.timer === null) this.startViewing(element, watched);
    }
  }

  seen(element) {
    const watched = this.watched.get(element);
    this.unobserve(element);
    const { userId, surface } = this.config;
    const { itemId, rankingId, position } = watched;
    if (this.impressions.add(userId, itemId, { surface, rankingId, position })) this.flushSoon();
  }

  track(type, itemId, { intent, value, rankingId, position }) {
    check("track", "type", EVENT_TYPES.includes(type), `one of ${EVENT_TYPES.join(", ")}`);
    check("track", "itemId", isId(itemId), ID_RULE);
    check("track", "intent", intent === undefined || isText(intent, 64), "1-64 characters of text");
    const dwell = type === "dwell";
    if (dwell) {
      const ms = Number.isInteger(value) && value >= 0 && value <= MAX_DWELL_MS;
      check("track", "value", ms, `the dwell time, whole milliseconds from 0 to ${MAX_DWELL_MS}`);
    } else {
      check("track", "value", value === undefined, "left out: only dwell events take one");
    }
    check("track", "rankingId", isOptionalId(rankingId), ID_RULE);
    check("track", "position", isPosition(position), "an integer, 0 or more");
    const event = { type, userId: this.config.userId, itemId, ts: this.now() };
    if (intent !== undefined) event.intent = intent;
    if (dwell) event.value = value;
    if (rankingId !== undefined && rankingId !== null) event.rankingId = rankingId;
    if (position !== undefined && position !== null) event.position = position;
    this.events.add(event);
    this.flushSoon();
  }

  async recommend(k, category) {
    check("recommend", "k", Number.isInteger(k) && k >= 1 && k <= MAX_K, `1 to ${MAX_K}`);
    check("recommend", "category", category === undefined || isText(category, 128), "text");
    const { endpoint, userId, key } = this.config;
    let url = `${endpoint}/v1/users/${encodeURIComponent(userId)}/recommendations?k=${k}`;
    if (category !== undefined) url += `&category=${encodeURIComponent(category)}`;
    const response = await this.win.fetch(url, {
      headers: { Authorization: `Bearer ${key}` },
      credentials: "omit",
    });
    const answer = await response.json().catch(() => null);
    if (response.ok) {
      this.remember(answer);
      return answer;
    }
    const error = new Error(answer?.error?.message ?? `recommendations: HTTP ${response.status}`);
    error.status = response.status;
    error.code = answer?.error?.code ?? null;
    throw error;
  }

  /** Each item of a ranking, with where it was ranked, for observe() (the latest 1,000 items). */
  remember(answer) {
    if (!answer || !isId(answer.rankingId) || !Array.isArray(answer.items)) return;
    for (const item of answer.items) {
      if (!isId(item?.id)) continue;
      this.ranked.delete(item.id); // re-inserted last: the Map's order is the age
      const position = isPosition(item.position) ? item.position : undefined;
      this.ranked.set(item.id, { rankingId: answer.rankingId, position });
    }
    while (this.ranked.size > MAX_RANKED) this.ranked.delete(this.ranked.keys().next().value);
  }

  /** Something waits: stored now, sent within flushIntervalMs. */
  flushSoon() {
    this.changed();
    if (this.timers.flush === null) {
      // counted from the first item queued, not pushed back by later ones
      this.timers.flush = this.later(this.config.flushIntervalMs, () => this.sendDue());
    }
  }

  // --- sending ---

  /**
   * Sends every batch due and not already in flight: by fetch, or by sendBeacon when the page is
   * `leaving`. Offline, nothing is tried: the `online` event sends.
   */
  sendDue({ leaving = false } = {}) {
    this.win.clearTimeout(this.timers.flush);
    this.timers.flush = null;
    if (this.nav.onLine === false) return Promise.resolve();
    const now = this.now();
    const sends = [];
    for (const [queue, path] of this.routes) {
      for (const batch of queue.due(now)) {
        if (this.inFlight.has(batch.key)) continue;
        if (leaving && this.beacon(queue, path, batch)) continue;
        sends.push(this.post(queue, path, batch));
      }
    }
    this.changed();
    this.armRetry();
    return Promise.all(sends).then(() => undefined);
  }

  /**
   * Hands `batch` to sendBeacon, which cannot set headers: key and Idempotency-Key go in the query,
   * and a text/plain body needs no CORS preflight. Answers whether the browser took it.
   */
  beacon(queue, path, batch) {
    if (typeof this.nav.sendBeacon !== "function") return false;
    if (byteLength(batch.body) > MAX_BYTES) return false;
    const { endpoint, key } = this.config;
    const query = new URLSearchParams({ access_token: key, idempotency_key: batch.key });
    const body = new this.win.Blob([batch.body], { type: "text/plain" });
    let taken = false;
    try {
      taken = this.nav.sendBeacon(`${endpoint}${path}?${query}`, body);
    } catch (error) {
      warnOnce("sendBeacon failed", error);
    }
    if (taken) queue.beaconed(batch, this.now());
    return taken;
  }

  /**
   * POSTs `batch` and settles it by the answer. keepalive (the request outlives the page) while the
   * browser's 64 KiB budget for such bodies allows, a plain request beyond it.
   */
  async post(queue, path, batch) {
    this.inFlight.add(batch.key);
    const bytes = byteLength(batch.body);
    const keepalive = this.keepaliveBytes + bytes <= MAX_BYTES;
    if (keepalive) this.keepaliveBytes += bytes;
    try {
      const response = await this.win.fetch(this.config.endpoint + path, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${this.config.key}`,
          "Content-Type": "application/json",
          "Idempotency-Key": batch.key,
        },
        body: batch.body,
        keepalive,
        credentials: "omit",
      });
      await this.answered(queue, batch, response);
    } catch (error) {
      warnOnce("a send failed; it will be tried again", error);
      queue.failed(batch, 0, { now: this.now() });
    } finally {
      if (keepalive) this.keepaliveBytes -= bytes;
      this.inFlight.delete(batch.key);
      this.changed();
      this.armRetry();
    }
  }

  async answered(queue, batch, response) {
    if (response.ok) {
      if (queue.acknowledge(batch) && queue === this.impressions) this.share(batch);
      return;
    }
    const retryAfter = response.headers.get("Retry-After");
    const delay = queue.failed(batch, response.status, { retryAfter, now: this.now() });
    if (delay === null) {
      const answer = await response.json().catch(() => null);
      warnOnce(`the edge refused a batch (HTTP ${response.status}); it is dropped`, answer?.error);
    }
  }

  /** Sets one timer for the earliest batch waiting for its retry. */
  armRetry() {
    this.win.clearTimeout(this.timers.retry);
    this.timers.retry = null;
    if (this.closed) return;
    const waiting = this.routes
      .flatMap(([queue]) => queue.batches)
      .filter((b) => !b.beaconed && !this.inFlight.has(b.key));
    if (waiting.length === 0) return;
    const at = Math.min(...waiting.map((b) => b.notBefore));
    this.timers.retry = this.later(Math.max(0, at - this.now()), () => this.sendDue());
  }

  // --- the page's life ---

  visibilityChanged() {
    this.win.clearTimeout(this.timers.hidden);
    this.timers.hidden = null;
    if (this.hidden()) {
      this.pauseViewing();
      this.timers.hidden = this.later(HIDDEN_DEBOUNCE_MS, () => this.leave());
    } else {
      this.shownAgain();
    }
  }

  listenForPagehide() {
    const pagehide = () => {
      this.gone = true;
      this.leave();
    };
    this.listen(this.win, "pagehide", pagehide, { once: true });
  }

  /** The page may be going away: what waits goes by beacon, and the rest is stored at once. */
  leave() {
    this.pauseViewing();
    this.sendDue({ leaving: true });
    this.writeStore();
  }

  /**
   * Shown again (or back from the back/forward cache): beaconed batches are sent again by fetch, under
   * their keys, so that an answer (the edge's replay when the beacon arrived) settles them.
   */
  shownAgain() {
    if (this.gone) this.listenForPagehide(); // the last one fired, { once: true }
    this.gone = false;
    this.routes.forEach(([queue]) => queue.resume());
    this.resumeViewing();
    this.flushSoon();
  }

  // --- storage and other tabs ---

  /** Something changed: stored and announced once, after the current task's other changes. */
  changed() {
    if (this.changeQueued) return;
    this.changeQueued = true;
    Promise.resolve().then(
      guarded("storage", () => {
        this.changeQueued = false;
        this.writeStore();
        if (!this.closed) this.announce();
      }),
    );
  }

  announce() {
    const CustomEvent = this.win.CustomEvent;
    if (typeof CustomEvent !== "function" || typeof this.win.dispatchEvent !== "function") return;
    this.win.dispatchEvent(new CustomEvent("freshet:telemetry", { detail: this.telemetry() }));
  }

  telemetry() {
    return countersOf(this.routes.map(([queue]) => queue));
  }

  writeStore() {
    const storage = this.config.storage;
    if (storage === null || !this.owner) return;
    try {
      // once shut down, a store another session has adopted is not brought back
      if (this.closed && storage.getItem(this.storeKey) === null) return;
      const text = this.storedText();
      if (text === null) storage.removeItem(this.storeKey);
      else storage.setItem(this.storeKey, text);
    } catch (error) {
      warnOnce("the queue could not be stored", error);
    }
  }

  /** This tab's queue as JSON within MAX_STORED_BYTES (the oldest dropped), or null when empty. */
  storedText() {
    for (;;) {
      const impressions = this.impressions.snapshot();
      const waiting = this.impressions.size() + this.events.size();
      if (waiting === 0 && impressions.acknowledged.length === 0) return null;
      impressions.acknowledged = impressions.acknowledged.slice(-STORED_ACKNOWLEDGED);
      const heartbeat = this.gone ? 0 : this.now();
      const text = JSON.stringify({ heartbeat, impressions, events: this.events.snapshot() });
      // a UTF-16 unit is at most 3 bytes of UTF-8: most texts need no encoding to be measured
      if (text.length * 3 <= MAX_STORED_BYTES) return text;
      const bytes = byteLength(text);
      if (bytes <= MAX_STORED_BYTES) return text;
      // entries are of a size: dropping the excess's share of the larger queue at once, rather than
      // one entry per serialisation, keeps this linear
      const larger = this.impressions.size() >= this.events.size() ? this.impressions : this.events;
      const keep = Math.floor((larger.size() * MAX_STORED_BYTES) / bytes);
      const before = larger.size();
      while (larger.size() > keep && larger.dropOldest());
      if (larger.size() === before) return text;
    }
  }

  /** The stored queues of other tabs, gone or alive. */
  otherStoreKeys() {
    const storage = this.config.storage;
    const keys = [];
    if (storage === null) return keys;
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key !== null && key.startsWith(this.prefix) && key !== this.storeKey) keys.push(key);
    }
    return keys;
  }

  readStore(key) {
    try {
      return JSON.parse(this.config.storage.getItem(key));
    } catch {
      return null; // tampered with: adopted as empty, and so removed
    }
  }

  /** What other tabs had acknowledged is not sent from here. */
  learnFromStores() {
    for (const key of this.otherStoreKeys()) {
      this.impressions.restore({ acknowledged: this.readStore(key)?.impressions?.acknowledged });
    }
  }

  /**
   * Holds this tab's lock for the session's life, and asks for every other stored queue's lock: a
   * queue whose tab is gone is granted at once, one whose tab lives when that tab closes.
   */
  holdLock() {
    const locks = this.nav.locks;
    const held = new Promise((release) => {
      this.releaseLock = release;
    });
    const adoptWhenFree = (key) => {
      const adopt = guarded("adopting a stored queue failed", () => this.adopt(key));
      locks.request(key, adopt).catch((error) => warnOnce("a Web Lock failed", error));
    };
    const owned = () => {
      if (this.closed) return undefined; // shut down before the lock came: let it go at once
      this.owner = true;
      this.changed();
      this.otherStoreKeys().forEach(adoptWhenFree);
      return held;
    };
    locks.request(this.storeKey, owned).catch((error) => {
      warnOnce("Web Locks failed; tabs' queues are told apart by timestamps", error);
      if (!this.closed) this.ownWithoutLocks();
    });
  }

  /** Without Web Locks: a queue whose heartbeat is stale (or 0: its page hid for good) is adopted. */
  ownWithoutLocks() {
    this.owner = true;
    const beat = () => {
      this.writeStore();
      for (const key of this.otherStoreKeys()) {
        const heartbeat = this.readStore(key)?.heartbeat;
        if (!(heartbeat > this.now() - STALE_MS)) this.adopt(key);
      }
      this.timers.heartbeat = this.later(HEARTBEAT_MS, beat);
    };
    beat();
  }

  adopt(key) {
    if (this.closed) return;
    const storage = this.config.storage;
    if (storage.getItem(key) === null) return; // adopted by another tab already
    const state = this.readStore(key);
    this.impressions.restore(state?.impressions, { now: this.now() });
    this.events.restore(state?.events, { now: this.now() });
    // ours first: were the page to die in between, both copies would go, under the same keys
    this.writeStore();
    storage.removeItem(key);
    this.flushSoon();
  }

  openChannel() {
    const Channel = this.win.BroadcastChannel;
    if (typeof Channel !== "function") return;
    this.channel = new Channel(`freshet:v1:${this.config.endpoint}`);
    this.listen(this.channel, "message", ({ data }) => {
      if (typeof data?.userId !== "string" || !Array.isArray(data.itemIds)) return;
      this.impressions.learn(data.userId, data.itemIds.map(String));
      this.changed();
    });
  }

  /** Tells the other tabs which impressions the edge acknowledged. */
  share(batch) {
    this.channel?.postMessage({ userId: batch.userId, itemIds: batch.itemIds });
  }

  // --- timers, listeners, shutdown ---

  later(ms, fn) {
    return this.win.setTimeout(guarded("timer", fn), ms);
  }

  listen(target, type, handler, options) {
    if (typeof target?.addEventListener !== "function") return;
    const listener = guarded(`${type} listener`, handler);
    target.addEventListener(type, listener, options);
    this.cleanups.push(() => target.removeEventListener(type, listener, options));
  }

  /**
   * Sends what waits, stores the rest for whoever adopts it (heartbeat 0 says so without Web Locks),
   * then lets the store go once the answers are in.
   */
  async shutdown() {
    if (this.closed) return;
    this.gone = true;
    this.cleanups.splice(0).forEach((remove) => remove());
    this.pauseViewing();
    this.watched.clear();
    this.observer?.disconnect();
    const sending = this.sendDue();
    this.writeStore();
    this.closed = true;
    Object.values(this.timers).forEach((timer) => this.win.clearTimeout(timer));
    await sending;
    this.writeStore();
    this.owner = false;
    this.releaseLock?.();
    this.channel?.close(); // after the answers, which tell the other tabs what was acknowledged
  }
}

export default { init, observe, unobserve, track, recommend, flush, telemetry, shutdown };
