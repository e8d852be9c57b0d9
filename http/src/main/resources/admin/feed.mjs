// The live event feed (SPEC C9): impressions, interactions and rankings as the edge handles them, over
// the WebSocket /v1/admin/feed. The admin key goes in the first message, never in the URL. The server
// filters by user and item, pauses, and drops messages for a viewer that reads too slowly (it reports
// how many); this side reconnects with backoff and sends its filter and pause again on a new socket.

import { clockTime, el, setText } from "./dom.mjs";

/** Entries kept in the list: enough to read, few enough that a busy feed does not slow the page. */
export const MAX_ENTRIES = 200;

const EVENT_TYPES = new Set(["impression", "interaction", "ranking"]);
const AUTH_CODES = new Set(["unauthorized", "forbidden"]);
// Ids as SPEC.md defines them; the server would refuse anything else and close the socket.
const ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** A filter input's value: null (any) when empty, else the trimmed id. */
export function filterValue(text) {
  const value = (text ?? "").trim();
  return value === "" ? null : value;
}

export function validId(value) {
  return value === null || ID.test(value);
}

/**
 * Whether an event concerns the filter's user and item (null = any). The server filters already; this
 * keeps out what it sent before it applied a new filter.
 */
export function matches(event, filter) {
  if (filter.userId && event.userId !== filter.userId) return false;
  if (filter.itemId) {
    const items = event.type === "interaction" ? [event.itemId] : (event.itemIds ?? []);
    if (!items.includes(filter.itemId)) return false;
  }
  return true;
}

/** Delay before reconnect attempt `attempt` (0, 1, …): 1 s doubling to 30 s, ±20 % so viewers spread out. */
export function reconnectDelay(attempt, random = Math.random) {
  const ms = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(ms * (0.8 + 0.4 * random()));
}

const ITEMS_SHOWN = 8;

function itemList(ids) {
  const list = ids ?? [];
  const shown = list.slice(0, ITEMS_SHOWN).join(", ");
  return list.length > ITEMS_SHOWN ? `${shown} … +${list.length - ITEMS_SHOWN}` : shown;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What an entry says, as plain strings: {time, user, items, allItems, detail}. */
export function describe(event, now = new Date()) {
  const at = new Date(event.at);
  const time = clockTime(Number.isNaN(at.getTime()) ? now : at);
  switch (event.type) {
    case "impression":
      return {
        time,
        user: event.userId,
        items: itemList(event.itemIds),
        allItems: (event.itemIds ?? []).join(", "),
        detail: [event.surface, `${event.recorded ?? 0} new`, `${event.duplicates ?? 0} repeated`]
          .filter(Boolean)
          .join(" · "),
      };
    case "interaction":
      return {
        time,
        user: event.userId,
        items: event.itemId ?? "",
        allItems: event.itemId ?? "",
        detail: [
          event.kind,
          event.position === null || event.position === undefined ? null : `position ${event.position}`,
          event.value === null || event.value === undefined ? null : `value ${event.value}`,
          event.intent ? `intent ${event.intent}` : null,
        ]
          .filter(Boolean)
          .join(" · "),
      };
    default:
      return {
        time,
        user: event.userId,
        items: itemList(event.itemIds),
        allItems: (event.itemIds ?? []).join(", "),
        detail: [event.variant ? `variant ${event.variant}` : null, plural((event.itemIds ?? []).length, "item")]
          .filter(Boolean)
          .join(" · "),
      };
  }
}

/**
 * The socket and its state: connects, authenticates, re-sends filter and pause after a reconnect, and
 * reports every change through onStatus(status) and every event through onEvent(event).
 */
export class FeedClient {
  #url;
  #key;
  #handlers;
  #socket = null;
  #timer = null;
  #attempt = 0;
  #stopped = false;
  #filter = { userId: null, itemId: null };
  #paused = false;
  #status = { state: "connecting", node: null, dropped: 0, retryInMs: null, error: null };

  constructor({ url, key, onEvent, onStatus, onAuthFailure, onFilterRefused }) {
    this.#url = url;
    this.#key = key;
    this.#handlers = { onEvent, onStatus, onAuthFailure, onFilterRefused };
  }

  get filter() {
    return this.#filter;
  }

  get paused() {
    return this.#paused;
  }

  start() {
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, "signed out");
  }

  setFilter(filter) {
    this.#filter = filter;
    this.#sendIfReady({ type: "filter", userId: filter.userId, itemId: filter.itemId });
  }

  setPaused(paused) {
    this.#paused = paused;
    this.#sendIfReady({ type: paused ? "pause" : "resume" });
    this.#report({});
  }

  #report(change) {
    this.#status = { ...this.#status, ...change, paused: this.#paused, filter: this.#filter };
    this.#handlers.onStatus(this.#status);
  }

  #sendIfReady(message) {
    if (this.#status.state === "connected" && this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(JSON.stringify(message));
    }
  }

  #connect() {
    this.#report({ state: "connecting", retryInMs: null });
    let socket;
    try {
      socket = new WebSocket(this.#url);
    } catch (error) {
      this.#report({ error: { message: error.message } });
      this.#reconnectLater();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", key: this.#key }));
    socket.onmessage = (message) => {
      if (socket === this.#socket) this.#receive(message.data);
    };
    socket.onclose = () => {
      if (socket !== this.#socket) return; // stopped, or replaced already
      this.#socket = null;
      if (!this.#stopped) this.#reconnectLater();
    };
  }

  #reconnectLater() {
    const delay = reconnectDelay(this.#attempt++);
    this.#report({ state: "reconnecting", retryInMs: delay });
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // not ours to interpret
    }
    if (EVENT_TYPES.has(message.type)) {
      // in flight before a pause or a new filter took effect on the server
      if (!this.#paused && matches(message, this.#filter)) this.#handlers.onEvent(message);
      return;
    }
    switch (message.type) {
      case "ready":
        this.#attempt = 0;
        this.#report({ state: "connected", node: message.node ?? null, dropped: 0, error: null });
        // a new socket starts unfiltered and running: tell it what this viewer had asked for
        if (this.#filter.userId || this.#filter.itemId) this.setFilter(this.#filter);
        if (this.#paused) this.#sendIfReady({ type: "pause" });
        break;
      case "status":
        this.#paused = Boolean(message.paused);
        this.#report({ dropped: message.dropped ?? this.#status.dropped });
        break;
      case "error":
        this.#refused(message.error ?? {});
        break;
      default:
        break;
    }
  }

  /** The server refused something and closes the socket. */
  #refused(error) {
    if (AUTH_CODES.has(error.code)) {
      // no reconnect: the key will not get better
      this.#stopped = true;
      this.#report({ state: "error", error });
      this.#handlers.onAuthFailure(error);
      return;
    }
    if (error.field === "userId" || error.field === "itemId") {
      // do not send the refused filter again after reconnecting
      this.#filter = { userId: null, itemId: null };
      this.#handlers.onFilterRefused(error);
    }
    this.#report({ error });
  }
}

/** The status line: connection, pause, drops, filter. */
export function statusText(status) {
  const dropped = `${status.dropped ?? 0} dropped`;
  const filter = [
    status.filter?.userId ? `user ${status.filter.userId}` : null,
    status.filter?.itemId ? `item ${status.filter.itemId}` : null,
  ].filter(Boolean);
  const filtered = filter.length ? ` · only ${filter.join(", ")}` : "";
  const error = status.error?.message ? ` (${status.error.message})` : "";
  switch (status.state) {
    case "connected":
      return status.paused
        ? `paused · ${dropped}${filtered}`
        : `connected${status.node ? ` to ${status.node}` : ""} · ${dropped}${filtered}`;
    case "reconnecting":
      return `disconnected${error}; reconnecting in ${Math.ceil((status.retryInMs ?? 0) / 1000)} s`;
    case "error":
      return status.error?.message ?? "refused";
    default:
      return "connecting…";
  }
}

function entryElement(event) {
  const text = describe(event);
  const entry = el("li", "feed-entry");
  entry.dataset.type = event.type;
  entry.dataset.user = event.userId ?? "";
  const time = el("time", "feed-time", text.time);
  if (event.at) time.dateTime = event.at;
  const items = el("span", "feed-items", text.items);
  items.title = text.allItems;
  entry.append(
    time,
    el("span", "feed-type", event.type),
    el("span", "feed-user", text.user),
    items,
    el("span", "feed-detail", text.detail),
  );
  return entry;
}

/**
 * The feed panel's DOM: the list (newest first, at most MAX_ENTRIES), filter inputs, pause button and
 * status line, driving one FeedClient.
 */
export class FeedPanel {
  #client;
  #list;
  #status;
  #pause;
  #userInput;
  #itemInput;
  #filterError;
  #pending = [];
  #flushTimer = null;
  #listeners = new AbortController();

  constructor({ key, onAuthFailure }) {
    this.#list = document.getElementById("feed");
    this.#status = document.getElementById("feed-status");
    this.#pause = document.getElementById("feed-pause");
    this.#userInput = document.getElementById("feed-user");
    this.#itemInput = document.getElementById("feed-item");
    this.#filterError = document.getElementById("feed-filter-error");
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    this.#client = new FeedClient({
      url: `${scheme}${location.host}/v1/admin/feed`,
      key,
      onEvent: (event) => this.#add(event),
      onStatus: (status) => this.#showStatus(status),
      onAuthFailure,
      onFilterRefused: (error) => setText(this.#filterError, error.message),
    });
    const signal = this.#listeners.signal;
    document.getElementById("feed-filter").addEventListener("submit", (e) => this.#applyFilter(e), { signal });
    // "change" too: a typed id takes effect when the field loses focus, not only on Enter or Apply
    this.#userInput.addEventListener("change", () => this.#applyFilter(), { signal });
    this.#itemInput.addEventListener("change", () => this.#applyFilter(), { signal });
    this.#pause.addEventListener("click", () => this.#client.setPaused(!this.#client.paused), { signal });
  }

  start() {
    this.#list.replaceChildren();
    this.#client.start();
  }

  stop() {
    this.#listeners.abort();
    this.#client.stop();
    clearTimeout(this.#flushTimer);
    this.#pending = [];
    this.#list.replaceChildren();
    setText(this.#filterError, "");
    this.#status.textContent = "";
    delete this.#status.dataset.state;
  }

  #applyFilter(event) {
    event?.preventDefault();
    const filter = { userId: filterValue(this.#userInput.value), itemId: filterValue(this.#itemInput.value) };
    const bad = [
      [this.#userInput, filter.userId],
      [this.#itemInput, filter.itemId],
    ].filter(([input, value]) => {
      const invalid = !validId(value);
      input.setAttribute("aria-invalid", String(invalid));
      return invalid;
    });
    if (bad.length) {
      setText(this.#filterError, "Ids are 1–128 characters of A–Z, a–z, 0–9 and . _ : @ -");
      return;
    }
    setText(this.#filterError, "");
    const current = this.#client.filter;
    if (current.userId === filter.userId && current.itemId === filter.itemId) return;
    // entries under the old filter would read as matches of the new one
    this.#pending = [];
    this.#list.replaceChildren();
    this.#client.setFilter(filter);
    this.#showStatus({ ...this.#lastStatus, filter });
  }

  #lastStatus = {};

  #showStatus(status) {
    this.#lastStatus = status;
    this.#status.textContent = statusText(status);
    this.#status.dataset.state = status.state === "connected" && status.paused ? "paused" : status.state;
    this.#pause.textContent = status.paused ? "Resume" : "Pause";
    this.#pause.setAttribute("aria-pressed", String(Boolean(status.paused)));
  }

  #add(event) {
    // batched: a burst of messages becomes one DOM update
    this.#pending.push(event);
    if (this.#pending.length > MAX_ENTRIES) this.#pending.splice(0, this.#pending.length - MAX_ENTRIES);
    this.#flushTimer ??= setTimeout(() => this.#flush(), 50);
  }

  #flush() {
    this.#flushTimer = null;
    const fragment = document.createDocumentFragment();
    for (let i = this.#pending.length - 1; i >= 0; i--) fragment.append(entryElement(this.#pending[i]));
    this.#pending = [];
    this.#list.prepend(fragment);
    while (this.#list.children.length > MAX_ENTRIES) this.#list.lastElementChild.remove();
  }
}
