// Node's test runner over the SDK's page layer (freshet.mjs), in a fake browser: time, timers,
// localStorage, Web Locks and BroadcastChannel shared by its tabs; per tab a window, a document, an
// IntersectionObserver, fetch and sendBeacon whose answers the tests script. Also the classic build
// (freshet.js) by the transform described at the top of freshet.mjs, run in node:vm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { webcrypto } from "node:crypto";
import { MAX_BYTES, byteLength } from "../../main/resources/sdk/freshet-core.mjs";

const SDK = new URL("../../main/resources/sdk/", import.meta.url);
const ENDPOINT = "https://edge.example";
const warnings = [];
console.warn = (...args) => warnings.push(args.join(" "));

/** Lets every promise chain started so far run to its end. */
function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

function answer(status, body = {}, headers = {}) {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: new Headers(headers),
    json: async () => body,
  };
}

/** One browser profile: what its tabs share. */
class Browser {
  constructor({ locks = true } = {}) {
    this.time = Date.parse("2026-03-01T12:00:00Z");
    this.timers = new Map();
    this.nextTimer = 1;
    this.storage = new FakeStorage();
    this.locks = locks ? new FakeLocks() : null;
    this.channels = new Set();
    this.online = true;
    this.requests = [];
    this.beacons = [];
    this.beaconAccepts = true;
    this.respond = () => answer(202);
    this.tabs = [];
    this.now = () => this.time;
  }

  /** A new page in a new tab, with its own instance of the module. */
  async open(options = {}) {
    const tab = new Tab(this);
    this.tabs.push(tab);
    tab.Freshet = (await import(new URL(`freshet.mjs?page=${++Browser.loads}`, SDK))).default;
    tab.Freshet.init({
      endpoint: ENDPOINT,
      key: "ingest-key",
      userId: "u1",
      surface: "home",
      window: tab.window,
      now: this.now,
      ...options,
    });
    await settle(); // the tab's lock is granted
    return tab;
  }

  /** Runs the timers due within `ms`, in order, each followed by what it started. */
  async advance(ms) {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next = null;
      for (const timer of this.timers.values()) {
        if (timer.at <= end && (next === null || timer.at < next.at)) next = timer;
      }
      if (next === null) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.fn();
      await settle();
    }
    this.time = end;
  }

  goOffline() {
    this.online = false;
  }

  async goOnline() {
    this.online = true;
    for (const tab of this.tabs) tab.window.dispatchEvent(new Event("online"));
    await settle();
  }

  posts(path) {
    return this.requests.filter((r) => r.method === "POST" && r.url === ENDPOINT + path);
  }

  /** The stored queues, by key. */
  stored() {
    const stores = {};
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      stores[key] = JSON.parse(this.storage.getItem(key));
    }
    return stores;
  }
}
Browser.loads = 0;

class Tab {
  constructor(browser) {
    this.browser = browser;
    this.observers = new Set();
    const tab = this;
    const document = Object.assign(new EventTarget(), { visibilityState: "visible" });
    class IntersectionObserver {
      constructor(callback, options) {
        this.callback = callback;
        this.options = options;
        this.targets = new Set();
        tab.observers.add(this);
      }
      observe(element) {
        this.targets.add(element);
      }
      unobserve(element) {
        this.targets.delete(element);
      }
      disconnect() {
        this.targets.clear();
        tab.observers.delete(this);
      }
    }
    class BroadcastChannel extends EventTarget {
      constructor(name) {
        super();
        this.name = name;
        this.tab = tab;
        browser.channels.add(this);
      }
      postMessage(data) {
        for (const other of browser.channels) {
          if (other === this || other.name !== this.name) continue;
          const event = new Event("message");
          event.data = structuredClone(data);
          queueMicrotask(() => other.dispatchEvent(event));
        }
      }
      close() {
        browser.channels.delete(this);
      }
    }
    this.window = Object.assign(new EventTarget(), {
      document,
      navigator: {
        get onLine() {
          return browser.online;
        },
        sendBeacon: (url, data) => {
          browser.beacons.push({ url, data });
          return browser.beaconAccepts;
        },
        locks: browser.locks?.client(this),
      },
      fetch: async (url, init = {}) => {
        const request = { url, method: init.method ?? "GET", ...init, tab };
        browser.requests.push(request);
        const response = browser.respond(request);
        if (response === "network") throw new TypeError("Failed to fetch");
        return response;
      },
      setTimeout: (fn, ms = 0) => {
        const id = browser.nextTimer++;
        browser.timers.set(id, { id, at: browser.time + Math.max(0, ms), fn, tab });
        return id;
      },
      clearTimeout: (id) => browser.timers.delete(id),
      localStorage: browser.storage,
      IntersectionObserver,
      BroadcastChannel,
      CustomEvent: class extends Event {
        constructor(type, { detail } = {}) {
          super(type);
          this.detail = detail;
        }
      },
      Blob,
      crypto: webcrypto,
    });
  }

  /** The observers report `element` with `ratio` of it in view. */
  show(element, ratio = 1) {
    for (const observer of this.observers) {
      if (!observer.targets.has(element)) continue;
      const entry = {
        target: element,
        isIntersecting: ratio > 0,
        intersectionRatio: ratio,
        intersectionRect: { width: 100, height: 100 * ratio },
        rootBounds: { width: 1000, height: 800 },
      };
      observer.callback([entry], observer);
    }
  }

  setVisibility(state) {
    this.window.document.visibilityState = state;
    this.window.document.dispatchEvent(new Event("visibilitychange"));
  }

  pagehide() {
    this.window.document.visibilityState = "hidden";
    this.window.dispatchEvent(Object.assign(new Event("pagehide"), { persisted: false }));
  }

  /** The tab dies without a word (closed, crashed, discarded): its timers, locks and channels go. */
  close() {
    for (const [id, timer] of this.browser.timers)
      if (timer.tab === this) this.browser.timers.delete(id);
    for (const channel of this.browser.channels) if (channel.tab === this) channel.close();
    this.browser.locks?.release(this);
    this.browser.tabs = this.browser.tabs.filter((t) => t !== this);
  }

  timers() {
    return [...this.browser.timers.values()].filter((t) => t.tab === this);
  }
}

class FakeStorage {
  #items = new Map();
  get length() {
    return this.#items.size;
  }
  key(index) {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key) {
    return this.#items.has(key) ? this.#items.get(key) : null;
  }
  setItem(key, value) {
    this.#items.set(key, String(value));
  }
  removeItem(key) {
    this.#items.delete(key);
  }
}

/** Exclusive Web Locks: granted in the order asked for, held until the callback's promise settles. */
class FakeLocks {
  held = new Map(); // name → grant
  waiting = [];

  client(tab) {
    return { request: (name, callback) => this.request(tab, name, callback) };
  }

  request(tab, name, callback) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ tab, name, callback, resolve, reject });
      this.grantNext(name);
    });
  }

  grantNext(name) {
    if (this.held.has(name)) return;
    const index = this.waiting.findIndex((w) => w.name === name);
    if (index < 0) return;
    const [grant] = this.waiting.splice(index, 1);
    this.held.set(name, grant);
    Promise.resolve()
      .then(() => grant.callback({ name }))
      .then(grant.resolve, grant.reject)
      .finally(() => this.free(grant));
  }

  free(grant) {
    if (this.held.get(grant.name) !== grant) return;
    this.held.delete(grant.name);
    this.grantNext(grant.name);
  }

  /** A closed tab's locks are freed and its requests forgotten. */
  release(tab) {
    this.waiting = this.waiting.filter((w) => w.tab !== tab);
    for (const grant of [...this.held.values()]) if (grant.tab === tab) this.free(grant);
  }
}

function sequence(...answers) {
  return () => (answers.length > 1 ? answers.shift() : answers[0]);
}

function bodyOf(request) {
  return JSON.parse(request.body);
}

/** Observes `count` new elements for items `item-0`…, and shows them all. */
function showItems(tab, count, context = {}) {
  const elements = Array.from({ length: count }, () => ({}));
  elements.forEach((element, i) => tab.Freshet.observe(element, `item-${i}`, context));
  elements.forEach((element) => tab.show(element, 1));
  return elements;
}

test("an element visible for a second is one impression, sent once", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  const element = {};
  tab.Freshet.observe(element, "item-1", { rankingId: "r-1", position: 3 });
  tab.show(element, 0.6);
  await browser.advance(999);
  assert.equal(tab.Freshet.telemetry().queued, 0);
  await browser.advance(1 + 2_000);
  const [post] = browser.posts("/v1/impressions");
  assert.deepEqual(bodyOf(post), {
    userId: "u1",
    itemIds: ["item-1"],
    surface: "home",
    rankingId: "r-1",
    positions: [3],
  });
  assert.equal(post.headers.Authorization, "Bearer ingest-key");
  assert.match(post.headers["Idempotency-Key"], /^[\x21-\x7e]{1,255}$/);
  assert.equal(post.keepalive, true);
  assert.equal(post.credentials, "omit");

  tab.Freshet.observe(element, "item-1"); // seen again, or on another part of the page
  tab.show(element, 1);
  await browser.advance(10_000);
  assert.equal(browser.requests.length, 1);
  assert.deepEqual(tab.Freshet.telemetry(), {
    queued: 1,
    flushed: 1,
    failed: 0,
    retried: 0,
    dropped: 0,
    pending: 0,
  });
});

test("an element seen too briefly, too little, or on a hidden page is no impression", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  const element = {};
  tab.Freshet.observe(element, "item-1");
  tab.show(element, 1);
  await browser.advance(500);
  tab.show(element, 0); // scrolled away: the time seen starts again
  await browser.advance(5_000);
  tab.show(element, 0.3); // below the threshold
  await browser.advance(5_000);
  tab.show(element, 1);
  await browser.advance(600);
  tab.setVisibility("hidden");
  await browser.advance(5_000);
  assert.equal(tab.Freshet.telemetry().queued, 0);

  tab.setVisibility("visible"); // still in view: a full second again
  await browser.advance(999);
  assert.equal(tab.Freshet.telemetry().queued, 0);
  await browser.advance(1);
  assert.equal(tab.Freshet.telemetry().queued, 1);
});

test("threshold and minVisibleMs are the page's to set", async () => {
  const browser = new Browser();
  const tab = await browser.open({ threshold: 1, minVisibleMs: 3_000 });
  const element = {};
  tab.Freshet.observe(element, "item-1");
  tab.show(element, 0.9);
  await browser.advance(10_000);
  tab.show(element, 1);
  await browser.advance(2_999);
  assert.equal(tab.Freshet.telemetry().queued, 0);
  await browser.advance(1);
  assert.equal(tab.Freshet.telemetry().queued, 1);
});

test("a 503 is retried after Retry-After under the same Idempotency-Key, counted once", async () => {
  const browser = new Browser();
  browser.respond = sequence(answer(503, {}, { "Retry-After": "3" }), answer(202));
  const tab = await browser.open();
  tab.Freshet.track("click", "item-1", { rankingId: "r-1", position: 0, intent: "compare" });
  await browser.advance(2_000);
  assert.equal(browser.requests.length, 1);
  assert.deepEqual(bodyOf(browser.requests[0]), {
    events: [
      {
        type: "click",
        userId: "u1",
        itemId: "item-1",
        ts: browser.time - 2_000,
        intent: "compare",
        rankingId: "r-1",
        position: 0,
      },
    ],
  });
  await browser.advance(2_999);
  assert.equal(browser.requests.length, 1);
  await browser.advance(1);
  const [first, second] = browser.posts("/v1/events");
  assert.equal(second.headers["Idempotency-Key"], first.headers["Idempotency-Key"]);
  assert.equal(second.body, first.body);
  await browser.advance(60_000);
  assert.equal(browser.requests.length, 2);
  const counters = tab.Freshet.telemetry();
  assert.equal(counters.flushed, 1);
  assert.equal(counters.retried, 1);
  assert.equal(counters.pending, 0);
});

test("a network error is retried with backoff", async () => {
  const browser = new Browser();
  browser.respond = sequence("network", answer(202));
  const tab = await browser.open();
  tab.Freshet.track("like", "item-1");
  await browser.advance(2_000 + 500); // the first retry comes within half a second
  assert.equal(browser.requests.length, 2);
  assert.equal(tab.Freshet.telemetry().flushed, 1);
});

test("a 400 drops the batch as failed and is not retried", async () => {
  const browser = new Browser();
  const refusal = { error: { code: "invalid", message: "events[0].itemId is bad", field: "x" } };
  browser.respond = () => answer(400, refusal);
  const tab = await browser.open();
  tab.Freshet.track("click", "item-1");
  await browser.advance(120_000);
  assert.equal(browser.requests.length, 1);
  const counters = tab.Freshet.telemetry();
  assert.deepEqual([counters.failed, counters.retried, counters.pending], [1, 0, 0]);
  assert.ok(warnings.some((w) => w.includes("HTTP 400")));
});

test("offline, nothing is sent; back online, it is sent once", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  browser.goOffline();
  tab.Freshet.track("click", "item-1");
  await browser.advance(60_000);
  assert.equal(browser.requests.length, 0);
  assert.equal(tab.Freshet.telemetry().pending, 1);
  await browser.goOnline();
  await browser.advance(60_000);
  assert.equal(browser.requests.length, 1);
  assert.equal(tab.Freshet.telemetry().flushed, 1);
});

test("pagehide sends by beacon, key and Idempotency-Key in the query, body as text/plain", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  showItems(tab, 1);
  await browser.advance(1_000);
  tab.pagehide();
  assert.equal(browser.requests.length, 0);
  assert.equal(browser.beacons.length, 1);
  const url = new URL(browser.beacons[0].url);
  assert.equal(url.origin + url.pathname, `${ENDPOINT}/v1/impressions`);
  assert.equal(url.searchParams.get("access_token"), "ingest-key");
  const key = url.searchParams.get("idempotency_key");
  assert.ok(key);
  assert.equal(browser.beacons[0].data.type, "text/plain");
  assert.deepEqual(JSON.parse(await browser.beacons[0].data.text()).itemIds, ["item-0"]);

  // kept, under its key, for the next page to confirm; not sent again by this one
  const [store] = Object.values(browser.stored());
  assert.equal(store.impressions.batches[0].key, key);
  assert.equal(store.impressions.batches[0].beaconed, true);
  assert.equal(store.heartbeat, 0);
  tab.pagehide(); // { once: true }
  await browser.advance(60_000);
  assert.equal(browser.beacons.length, 1);
  assert.equal(browser.requests.length, 0);
});

test("a page going away sends its interactions before its impressions", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  showItems(tab, 3);
  await browser.advance(1_000);
  tab.Freshet.track("click", "item-1");
  tab.pagehide();
  const paths = browser.beacons.map((b) => new URL(b.url).pathname);
  assert.deepEqual(paths, ["/v1/events", "/v1/impressions"]);
});

test("visibilitychange to hidden is debounced; shown again, beaconed batches are confirmed by fetch", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  tab.Freshet.track("share", "item-1");
  tab.setVisibility("hidden");
  await browser.advance(50);
  tab.setVisibility("hidden"); // some browsers fire it twice
  await browser.advance(99);
  assert.equal(browser.beacons.length, 0);
  await browser.advance(1);
  assert.equal(browser.beacons.length, 1);
  const key = new URL(browser.beacons[0].url).searchParams.get("idempotency_key");
  await browser.advance(60_000);
  assert.equal(browser.requests.length, 0);

  tab.setVisibility("visible");
  await browser.advance(2_000);
  assert.equal(browser.requests.length, 1);
  assert.equal(browser.requests[0].headers["Idempotency-Key"], key);
  assert.equal(tab.Freshet.telemetry().flushed, 1);
  assert.deepEqual(browser.stored(), {});
});

test("a beacon the browser refuses goes by fetch", async () => {
  const browser = new Browser();
  browser.beaconAccepts = false;
  const tab = await browser.open();
  tab.Freshet.track("click", "item-1");
  tab.pagehide();
  await settle();
  assert.equal(browser.beacons.length, 1);
  assert.equal(browser.requests.length, 1);
  assert.equal(browser.requests[0].keepalive, true);
  assert.equal(tab.Freshet.telemetry().flushed, 1);
});

test("over 1,000 ids or 64 KiB, batches are split; keepalive only within its 64 KiB budget", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  showItems(tab, 1_001);
  await browser.advance(3_000);
  assert.deepEqual(
    browser.posts("/v1/impressions").map((r) => bodyOf(r).itemIds.length),
    [1_000, 1],
  );

  const intent = "x".repeat(64);
  for (let i = 0; i < 600; i++) tab.Freshet.track("click", `item-${i}`, { intent });
  await browser.advance(2_000);
  const posts = browser.posts("/v1/events");
  assert.equal(posts.length, 2);
  for (const post of posts) assert.ok(byteLength(post.body) <= MAX_BYTES);
  assert.equal(
    posts.reduce((n, r) => n + bodyOf(r).events.length, 0),
    600,
  );
  assert.ok(byteLength(posts[0].body) + byteLength(posts[1].body) > MAX_BYTES);
  assert.deepEqual(
    posts.map((r) => r.keepalive),
    [true, false],
  );
  assert.equal(tab.Freshet.telemetry().flushed, 1_601);
});

test("the next page resends what was beaconed or pending, under the original keys", async () => {
  const browser = new Browser();
  browser.respond = () => "network";
  const first = await browser.open();
  first.Freshet.track("purchase", "item-9");
  await browser.advance(2_000); // fails; retried within half a second
  const eventKey = browser.requests[0].headers["Idempotency-Key"];
  showItems(first, 1);
  await browser.advance(1_000);
  first.pagehide();
  first.close();
  const beaconKey = new URL(browser.beacons[0].url).searchParams.get("idempotency_key");
  const requestsBefore = browser.requests.length;

  browser.respond = () => answer(202);
  const next = await browser.open();
  await browser.advance(2_000);
  const resent = browser.requests.slice(requestsBefore);
  assert.deepEqual(
    resent.map((r) => r.headers["Idempotency-Key"]).sort(),
    [eventKey, beaconKey].sort(),
  );
  assert.equal(next.Freshet.telemetry().flushed, 2);
  await browser.advance(60_000);
  assert.equal(browser.requests.length, requestsBefore + 2);
  // the next page keeps only what was acknowledged, not to send it again
  const stores = Object.values(browser.stored());
  assert.equal(stores.length, 1);
  assert.deepEqual(stores[0].impressions.batches, []);
  assert.equal(stores[0].impressions.acknowledged.length, 1);
});

test("the stored queue stays within 1 MiB: the oldest are dropped, and counted", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  browser.goOffline();
  const itemId = (i) => `${i}`.padStart(6, "0") + "x".repeat(122);
  for (let i = 0; i < 5_000; i++) tab.Freshet.track("click", itemId(i), { intent: "y".repeat(64) });
  await settle();
  const text = browser.storage.getItem(browser.storage.key(0));
  assert.ok(byteLength(text) <= 1024 * 1024, `${byteLength(text)} bytes`);
  const { dropped, pending } = tab.Freshet.telemetry();
  assert.ok(dropped > 0);
  assert.equal(dropped + pending, 5_000);
  const kept = JSON.parse(text).events.pending.map((e) => e.itemId);
  assert.deepEqual(
    kept,
    Array.from({ length: pending }, (_, i) => itemId(dropped + i)),
  );
});

test("a tab's queue is adopted only once that tab is gone", async () => {
  const browser = new Browser();
  browser.respond = () => answer(503, {}, { "Retry-After": "3600" });
  const a = await browser.open();
  a.Freshet.track("click", "item-1");
  await browser.advance(2_000);
  const key = browser.requests[0].headers["Idempotency-Key"];
  browser.respond = () => answer(202);
  const b = await browser.open();
  await browser.advance(60_000);
  assert.equal(browser.requests.length, 1);
  assert.equal(Object.keys(browser.stored()).length, 1); // b has nothing yet, and stores nothing

  a.close();
  await browser.advance(2_000);
  assert.equal(browser.requests.length, 2);
  assert.equal(browser.requests[1].headers["Idempotency-Key"], key);
  assert.equal(browser.requests[1].tab, b);
  assert.deepEqual(browser.stored(), {});
});

test("without Web Locks, a queue is adopted once its heartbeat is stale", async () => {
  const browser = new Browser({ locks: false });
  browser.respond = () => answer(503, {}, { "Retry-After": "3600" });
  const a = await browser.open();
  a.Freshet.track("click", "item-1");
  await browser.advance(2_000);
  a.close(); // crashed: no pagehide, its heartbeat just stops
  browser.respond = () => answer(202);
  const b = await browser.open();
  await browser.advance(60_000);
  assert.equal(browser.requests.length, 1); // a's heartbeat is still fresh
  await browser.advance(3 * 60_000);
  assert.equal(browser.requests.length, 2);
  assert.equal(
    browser.requests[1].headers["Idempotency-Key"],
    browser.requests[0].headers["Idempotency-Key"],
  );
  assert.equal(b.Freshet.telemetry().flushed, 1);
});

test("without Web Locks, a page gone by pagehide is adopted by the next at once", async () => {
  const browser = new Browser({ locks: false });
  const first = await browser.open();
  first.Freshet.track("click", "item-1");
  first.pagehide();
  first.close();
  const next = await browser.open();
  await browser.advance(2_000);
  assert.equal(browser.requests.length, 1);
  assert.equal(next.Freshet.telemetry().flushed, 1);
});

test("what one tab had acknowledged, another does not send", async () => {
  const browser = new Browser();
  const a = await browser.open();
  const b = await browser.open();
  showItems(a, 2);
  await browser.advance(3_000);
  assert.equal(browser.requests.length, 1);

  showItems(b, 3); // item-0 and item-1 were a's
  await browser.advance(3_000);
  assert.equal(browser.requests.length, 2);
  assert.deepEqual(bodyOf(browser.requests[1]).itemIds, ["item-2"]);

  const later = await browser.open(); // learns from the tabs' stored queues
  showItems(later, 3);
  await browser.advance(3_000);
  assert.equal(browser.requests.length, 2);
  assert.equal(later.Freshet.telemetry().queued, 0);
  assert.equal(Object.keys(browser.stored()).length, 3); // each tab its own
});

test("telemetry is a copy, and an event on window after each change", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  const seen = [];
  tab.window.addEventListener("freshet:telemetry", (event) => seen.push(event.detail));
  tab.Freshet.track("click", "item-1");
  tab.Freshet.track("click", "item-2");
  await settle();
  assert.deepEqual(seen, [
    { queued: 2, flushed: 0, failed: 0, retried: 0, dropped: 0, pending: 2 },
  ]);
  await browser.advance(2_000);
  assert.equal(seen.at(-1).flushed, 2);
  const copy = tab.Freshet.telemetry();
  copy.flushed = 99;
  assert.equal(tab.Freshet.telemetry().flushed, 2);
});

test("bad options and arguments are TypeErrors naming them", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  const base = { endpoint: ENDPOINT, key: "k", userId: "u1", window: tab.window };
  const refused = {
    endpoint: "ftp://edge.example",
    key: "",
    userId: "not an id",
    surface: "",
    threshold: 2,
    minVisibleMs: -1,
    flushIntervalMs: "soon",
    storage: 5,
  };
  for (const [name, value] of Object.entries(refused)) {
    assert.throws(() => tab.Freshet.init({ ...base, [name]: value }), {
      name: "TypeError",
      message: new RegExp(`^Freshet\\.init: ${name} must be`),
    });
  }
  assert.throws(() => tab.Freshet.init({ ...base, userId: 123 }), /init: userId must be/);
  assert.throws(() => tab.Freshet.track("poke", "item-1"), /track: type must be/);
  assert.throws(() => tab.Freshet.track("click", "item 1"), /track: itemId must be/);
  assert.throws(() => tab.Freshet.track("click", "item-1", { value: 3 }), /track: value/);
  assert.throws(() => tab.Freshet.track("dwell", "item-1"), /track: value/);
  assert.throws(() => tab.Freshet.observe({}, "item-1", { position: -1 }), /observe: position/);
  // the edge refuses control characters and lone surrogates, with a 400 for the whole batch
  assert.throws(() => tab.Freshet.track("click", "item-1", { intent: "a\u0000" }), /intent/);
  assert.throws(() => tab.Freshet.track("click", "item-1", { intent: "\ud83d" }), /intent/);
  tab.Freshet.track("click", "item-1", { intent: "😀" });
  tab.Freshet.track("dwell", "item-1", { value: 4_500 });
  await browser.advance(2_000);
  assert.equal(bodyOf(browser.requests[0]).events[1].value, 4_500);
});

test("init again sends the old user's state first, and leaves no timer behind", async () => {
  const browser = new Browser();
  const tab = await browser.open();
  tab.Freshet.track("click", "item-1");
  tab.Freshet.init({
    endpoint: ENDPOINT,
    key: "k2",
    userId: "u2",
    window: tab.window,
    now: browser.now,
  });
  await settle();
  assert.equal(browser.requests.length, 1);
  assert.equal(bodyOf(browser.requests[0]).events[0].userId, "u1");
  tab.Freshet.track("click", "item-1");
  await browser.advance(2_000);
  assert.equal(bodyOf(browser.requests[1]).events[0].userId, "u2");
  assert.equal(browser.requests[1].headers.Authorization, "Bearer k2");

  tab.Freshet.observe({}, "item-5");
  await tab.Freshet.shutdown();
  assert.deepEqual(tab.timers(), []);
  assert.equal(tab.observers.size, 0);
  assert.throws(() => tab.Freshet.track("click", "item-1"), /call Freshet.init first/);
});

test("recommend asks for the user's ranking with the key, and says why it was refused", async () => {
  const browser = new Browser();
  const ranking = {
    rankingId: "r-7",
    variant: "a",
    items: [{ id: "item-1", score: 1, position: 0 }],
  };
  browser.respond = (request) =>
    request.headers.Authorization === "Bearer rank-key"
      ? answer(200, ranking)
      : answer(403, { error: { code: "forbidden", message: "needs the rank scope" } });
  const tab = await browser.open({ key: "rank-key" });
  assert.deepEqual(await tab.Freshet.recommend({ k: 5, category: "shoes & bags" }), ranking);
  const [request] = browser.requests;
  assert.equal(request.method, "GET");
  assert.equal(
    request.url,
    `${ENDPOINT}/v1/users/u1/recommendations?k=5&category=shoes%20%26%20bags`,
  );

  tab.Freshet.init({ endpoint: ENDPOINT, key: "ingest-key", userId: "u1", window: tab.window });
  await assert.rejects(tab.Freshet.recommend(), {
    status: 403,
    code: "forbidden",
    message: /rank scope/,
  });
});

test("items of a fetched ranking are observed in its context unless the page says otherwise", async () => {
  const browser = new Browser();
  browser.respond = (request) =>
    request.method === "GET"
      ? answer(200, {
          rankingId: "r-9",
          variant: "a",
          items: [
            { id: "item-1", score: 2, position: 0 },
            { id: "item-2", score: 1, position: 1 },
          ],
        })
      : answer(202, { recorded: 1, duplicates: 0 });
  const tab = await browser.open({ key: "rank-and-ingest" });
  await tab.Freshet.recommend({ k: 2 });
  const first = {};
  const second = {};
  const other = {};
  tab.Freshet.observe(first, "item-2");
  tab.Freshet.observe(second, "item-1", { rankingId: "r-own", position: 7 });
  tab.Freshet.observe(other, "item-3");
  for (const element of [first, second, other]) tab.show(element, 1);
  await browser.advance(3_100);
  const bodies = browser.posts("/v1/impressions").map(bodyOf);
  assert.deepEqual(
    bodies.map((b) => [b.itemIds, b.rankingId ?? null, b.positions ?? null]).sort(),
    [
      [["item-1"], "r-own", [7]],
      [["item-2"], "r-9", [1]],
      [["item-3"], null, null],
    ].sort(),
  );
});

// --- the classic script ---

/** The edge's build of /sdk/freshet.js, by the rules at the top of freshet.mjs. */
function classicScript(core, page) {
  const lines = (text) => text.split("\n").slice(0, text.endsWith("\n") ? -1 : undefined);
  const transformed = [...lines(core), ...lines(page)]
    .filter((line) => !line.startsWith("import "))
    .map((line) => {
      if (line.startsWith("export default ") && line.endsWith(";"))
        return "globalThis.Freshet = " + line.slice("export default ".length);
      return line.startsWith("export ") ? line.slice("export ".length) : line;
    });
  return `(function () {\n"use strict";\n${transformed.map((l) => l + "\n").join("")}})();\n`;
}

const core = readFileSync(new URL("freshet-core.mjs", SDK), "utf8");
const page = readFileSync(new URL("freshet.mjs", SDK), "utf8");

test("both files keep to the forms the classic build understands", () => {
  const exports = [...core.split("\n"), ...page.split("\n")].filter((l) => l.startsWith("export "));
  for (const line of exports) {
    assert.match(line, /^export (function|async function|class|const) |^export default .*;$/, line);
  }
  assert.equal(exports.filter((l) => l.startsWith("export default ")).length, 1);
  const imports = page.split("\n").filter((l) => l.startsWith("import "));
  assert.equal(imports.length, 1);
  assert.match(imports[0], /^import \{[^}]+\} from "\.\/freshet-core\.mjs";$/);
  assert.ok(!core.split("\n").some((l) => l.startsWith("import ")));

  // one scope: no top-level name in both
  const names = (text) =>
    new Set(
      [...text.matchAll(/^(?:export )?(?:async )?(?:function\*?|class|const|let|var) (\w+)/gm)].map(
        (m) => m[1],
      ),
    );
  const shared = [...names(page)].filter((name) => names(core).has(name));
  assert.deepEqual(shared, []);
});

test("the classic script defines window.Freshet and works", async () => {
  const sandbox = { console, TextEncoder, URL, URLSearchParams };
  vm.runInNewContext(classicScript(core, page), sandbox, { filename: "freshet.js" });
  const Freshet = sandbox.Freshet;
  const api = [
    "init",
    "observe",
    "unobserve",
    "track",
    "recommend",
    "flush",
    "telemetry",
    "shutdown",
  ];
  assert.deepEqual(Object.keys(Freshet).sort(), [...api].sort());
  for (const name of api) assert.equal(typeof Freshet[name], "function");

  const browser = new Browser();
  const tab = new Tab(browser);
  Freshet.init({
    endpoint: ENDPOINT,
    key: "k",
    userId: "u1",
    window: tab.window,
    now: browser.now,
  });
  Freshet.track("click", "item-1");
  await Freshet.flush();
  assert.equal(browser.requests.length, 1);
  assert.equal(Freshet.telemetry().flushed, 1);
  await Freshet.shutdown();
});
