// The browser SDK's core (SPEC C12): which impressions and events are still to send, how they split
// into request bodies the edge accepts, and when a failed send is tried again. No DOM and no network
// here: the page layer (freshet.mjs: visibility, flush triggers, sendBeacon/fetch, storage) drives it,
// and Node's test runner covers it in the Maven build (http/src/test/js).

/** The edge's limits on one ingest request (API.md): ids per batch, and bytes of body. */
export const MAX_IDS = 1000;
export const MAX_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/** The size of `text` as sent: UTF-8 bytes, not UTF-16 code units. */
export function byteLength(text) {
  return encoder.encode(text).length;
}

/**
 * Splits one user's impressions into `POST /v1/impressions` bodies, each within `maxIds` ids and
 * `maxBytes` bytes of JSON. A body has one surface and one rankingId, and positions for all its ids or
 * none, so items are grouped by those first, keeping their order within each group.
 *
 * items: [{itemId, surface?, rankingId?, position?}]; answers [{body, itemIds}] where body is the JSON
 * text to send and itemIds the ids it carries.
 */
export function impressionBodies(userId, items, { maxIds = MAX_IDS, maxBytes = MAX_BYTES } = {}) {
  const groups = new Map();
  for (const item of items) {
    const surface = item.surface ?? null;
    const rankingId = item.rankingId ?? null;
    const positioned = Number.isInteger(item.position);
    const key = JSON.stringify([surface, rankingId, positioned]);
    if (!groups.has(key)) groups.set(key, { surface, rankingId, positioned, items: [] });
    groups.get(key).items.push(item);
  }
  const bodies = [];
  for (const group of groups.values()) {
    let current = [];
    let size = 0;
    const base = (chunk) => bodyOf(userId, group, chunk);
    const emptySize = byteLength(base([]));
    // what one more item adds: its quoted id and its position, each after a comma once not first
    const commas = group.positioned ? 2 : 1;
    for (const item of group.items) {
      const itemBytes =
        byteLength(JSON.stringify(item.itemId)) +
        (group.positioned ? byteLength(String(item.position)) : 0);
      if (
        current.length > 0 &&
        (current.length >= maxIds || emptySize + size + commas + itemBytes > maxBytes)
      ) {
        bodies.push(finish(base, current, maxBytes));
        current = [];
        size = 0;
      }
      size += (current.length === 0 ? 0 : commas) + itemBytes;
      current.push(item);
    }
    if (current.length > 0) bodies.push(finish(base, current, maxBytes));
  }
  return bodies;
}

function bodyOf(userId, group, chunk) {
  const body = { userId, itemIds: chunk.map((i) => i.itemId) };
  if (group.surface !== null) body.surface = group.surface;
  if (group.rankingId !== null) body.rankingId = group.rankingId;
  if (group.positioned) body.positions = chunk.map((i) => i.position);
  return JSON.stringify(body);
}

function finish(base, chunk, maxBytes) {
  const body = base(chunk);
  // the running count is exact; should one id alone exceed the limit, the edge answers 413 naming it
  if (chunk.length > 1 && byteLength(body) > maxBytes) {
    throw new Error(`a body of ${byteLength(body)} bytes was built over the ${maxBytes} limit`);
  }
  return { body, itemIds: chunk.map((i) => i.itemId) };
}

/**
 * Whether a send that ended with `status` (0 or undefined: no answer, a network error) may be tried
 * again: network errors, 408, 409 (the same Idempotency-Key is still being applied), 429 and 5xx. Any
 * other 4xx is bad input that a retry cannot fix.
 */
export function retryable(status) {
  if (!status) return true;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long to wait before try number `attempt` (1 = the first retry): exponential from `baseMs`, capped
 * at `maxMs`, with full jitter (`random` in [0, 1)) so that many pages do not retry in step; never
 * sooner than the server's `Retry-After` (seconds, or an HTTP date against `now`).
 */
export function retryDelay(
  attempt,
  { baseMs = 500, maxMs = 30_000, retryAfter = null, random = Math.random, now = Date.now() } = {},
) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const server = retryAfterMs(retryAfter, now);
  return Math.max(jittered, server);
}

/** `Retry-After` in milliseconds: delta seconds or an HTTP date; 0 when absent or unreadable. */
export function retryAfterMs(value, now = Date.now()) {
  if (value === null || value === undefined || value === "") return 0;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/**
 * Splits events into `POST /v1/events` bodies, each within `maxEvents` events and `maxBytes` bytes of
 * JSON, keeping their order. events: [{type, userId, itemId, ts, ...}]; answers [{body, count}].
 */
export function eventBodies(events, { maxEvents = MAX_IDS, maxBytes = MAX_BYTES } = {}) {
  const emptySize = byteLength(eventsBody([]));
  const bodies = [];
  let current = [];
  let size = 0;
  for (const event of events) {
    const text = JSON.stringify(event);
    const bytes = byteLength(text);
    if (
      current.length > 0 &&
      (current.length >= maxEvents || emptySize + size + 1 + bytes > maxBytes)
    ) {
      bodies.push({ body: eventsBody(current), count: current.length });
      current = [];
      size = 0;
    }
    size += (current.length === 0 ? 0 : 1) + bytes;
    current.push(text);
  }
  if (current.length > 0) bodies.push({ body: eventsBody(current), count: current.length });
  return bodies;
}

function eventsBody(texts) {
  return `{"events":[${texts.join(",")}]}`;
}

/** How long the edge replays an Idempotency-Key (freshet.http.idempotency.ttl, 24 h), less an hour. */
export const REPLAY_MS = 23 * 3_600_000;

/**
 * What both outboxes share: batches that keep their Idempotency-Key across retries, backoff, batches
 * sent by beacon (which get no answer), the bound on what waits, and plain-data snapshots for storage.
 * A subclass says how pending entries become bodies, how many entries a batch holds, and what it keeps
 * of them: `batchesOf`, `countOf`, `forget`, `forgetPending`, `restoredBatch`, `restorePending`.
 */
class Queue {
  constructor({ newKey, maxQueued }) {
    if (typeof newKey !== "function") throw new TypeError("newKey must be a function");
    this.newKey = newKey;
    this.maxQueued = maxQueued;
    this.pending = []; // entries not yet in a batch
    this.batches = []; // [{key, body, attempts, notBefore, beaconed, beaconedAt, ...subclass's}]
    this.telemetry = { queued: 0, flushed: 0, failed: 0, retried: 0, dropped: 0 };
  }

  /**
   * The batches ready to send at `now`: pending entries become batches (split to the edge's limits,
   * each with a new key), then every batch whose retry time has come and that no beacon carries.
   */
  due(now = Date.now(), limits = {}) {
    const pending = this.pending;
    this.pending = [];
    for (const batch of this.batchesOf(pending, limits)) {
      this.batches.push({
        key: this.newKey(),
        ...batch,
        attempts: 0,
        notBefore: 0,
        beaconed: false,
        beaconedAt: 0,
      });
    }
    return this.batches.filter((b) => !b.beaconed && b.notBefore <= now);
  }

  /** The edge stored `batch` (2xx): it is done. Answers whether it was still here. */
  acknowledge(batch) {
    if (!this.remove(batch)) return false;
    this.telemetry.flushed += this.countOf(batch);
    return true;
  }

  /**
   * Sending `batch` ended with `status` (0: no answer) and the server's `retryAfter`: a retryable
   * failure keeps it, with its key, for a later try; any other drops it as failed. Answers the delay
   * before the next try, or null when dropped.
   */
  failed(batch, status, { retryAfter = null, now = Date.now(), random = Math.random } = {}) {
    if (!this.batches.includes(batch)) return null;
    if (!retryable(status)) {
      this.remove(batch);
      this.telemetry.failed += this.countOf(batch);
      return null;
    }
    batch.attempts++;
    const delay = retryDelay(batch.attempts, { retryAfter, now, random });
    batch.notBefore = now + delay;
    this.telemetry.retried++;
    return delay;
  }

  /**
   * `batch` went by sendBeacon, which tells nothing of the answer: it stays (for storage, with its
   * key) but is not due again in this page's life until `resume`; the next page sends it again, and
   * the edge replays what it had.
   */
  beaconed(batch, now = Date.now()) {
    if (!this.batches.includes(batch)) return;
    batch.beaconed = true;
    batch.beaconedAt = now;
  }

  /** The page is shown again: batches gone by beacon are due, for an answer saying they arrived. */
  resume() {
    for (const batch of this.batches) batch.beaconed = false;
  }

  /** How many entries wait, in batches or not yet. */
  size() {
    return this.pending.length + this.batches.reduce((n, b) => n + this.countOf(b), 0);
  }

  /** Drops the oldest batch, else the oldest pending entry, counting it; answers whether any was. */
  dropOldest() {
    if (this.batches.length > 0) {
      const oldest = this.batches[0];
      this.remove(oldest);
      this.telemetry.dropped += this.countOf(oldest);
      return true;
    }
    if (this.pending.length === 0) return false;
    this.forgetPending(this.pending.shift());
    this.telemetry.dropped++;
    return true;
  }

  /** Plain data for storage: what waits, with its keys. */
  snapshot() {
    return {
      pending: this.pending.map((p) => ({ ...p })),
      batches: this.batches.map(copyOf),
    };
  }

  /**
   * Takes over what a snapshot holds (an earlier page, another tab), skipping batches already here; a
   * batch a beacon carried more than `replayMs` ago is left out, as the edge would no longer recognise
   * its key and it most likely arrived. Malformed parts are ignored: storage is the page's to tamper
   * with.
   */
  restore(snapshot, { now = Date.now(), replayMs = REPLAY_MS } = {}) {
    if (!snapshot || typeof snapshot !== "object") return;
    for (const b of Array.isArray(snapshot.batches) ? snapshot.batches : []) {
      if (!b || typeof b.key !== "string" || typeof b.body !== "string") continue;
      if (this.batches.some((mine) => mine.key === b.key)) continue;
      const beaconedAt = Number.isFinite(b.beaconedAt) ? b.beaconedAt : 0;
      if (beaconedAt > 0 && now - beaconedAt > replayMs) continue;
      const fields = this.restoredBatch(b);
      if (fields === null) continue;
      this.batches.push({
        key: b.key,
        body: b.body,
        ...fields,
        attempts: Number.isInteger(b.attempts) ? b.attempts : 0,
        notBefore: 0,
        beaconed: false,
        beaconedAt,
      });
    }
    for (const p of Array.isArray(snapshot.pending) ? snapshot.pending : []) this.restorePending(p);
    this.bound();
  }

  /** Takes `batch` out of the queue; answers whether it was there. */
  remove(batch) {
    const index = this.batches.indexOf(batch);
    if (index < 0) return false;
    this.batches.splice(index, 1);
    this.forget(batch);
    return true;
  }

  /** Drops the oldest entries beyond `maxQueued`, counting them. */
  bound() {
    while (this.size() > this.maxQueued) this.dropOldest();
  }
}

/** A batch as plain data of its own: arrays (a subclass's ids) copied, not shared. */
function copyOf(batch) {
  return Object.fromEntries(
    Object.entries(batch).map(([name, value]) => [name, Array.isArray(value) ? [...value] : value]),
  );
}

/**
 * The impressions one page has still to send, and the ones the edge has acknowledged, which are never
 * sent again. Batches keep their Idempotency-Key across retries, so a batch whose answer was lost and
 * that is sent again is applied once. The state is plain data (`snapshot`/`restore`), for the offline
 * queue kept in storage across page loads; `maxQueued` bounds it (the oldest are dropped and counted).
 */
export class Outbox extends Queue {
  constructor({ newKey, maxQueued = 10_000, maxAcknowledged = 50_000 } = {}) {
    super({ newKey, maxQueued });
    this.maxAcknowledged = maxAcknowledged;
    this.acknowledged = new Set(); // "userId\u0000itemId"
    this.queued = new Set(); // the same, of every impression pending or in a batch
  }

  /** Queues an impression unless it was acknowledged or is queued already; answers whether it was. */
  add(userId, itemId, { surface = null, rankingId = null, position = null } = {}) {
    const id = pair(userId, itemId);
    if (this.acknowledged.has(id) || this.queued.has(id)) return false;
    this.pending.push({ userId, itemId, surface, rankingId, position });
    this.queued.add(id);
    this.telemetry.queued++;
    this.bound();
    return true;
  }

  /** The edge stored `batch` (2xx): its ids are never sent again. */
  acknowledge(batch) {
    if (!super.acknowledge(batch)) return false;
    for (const itemId of batch.itemIds) this.acknowledged.add(pair(batch.userId, itemId));
    this.#trimAcknowledged();
    return true;
  }

  /**
   * Another tab had these impressions acknowledged: they are not sent from here either, unless already
   * in a batch (whose body and key are fixed; the edge counts them as duplicates).
   */
  learn(userId, itemIds) {
    const ids = new Set(itemIds.map((i) => pair(userId, i)));
    ids.forEach((id) => this.acknowledged.add(id));
    this.pending = this.pending.filter((p) => {
      const known = ids.has(pair(p.userId, p.itemId));
      if (known) this.queued.delete(pair(p.userId, p.itemId));
      return !known;
    });
    this.#trimAcknowledged();
  }

  /** Plain data for storage: what waits (with its keys) and what was acknowledged. */
  snapshot() {
    return { ...super.snapshot(), acknowledged: [...this.acknowledged] };
  }

  /**
   * As Queue's, and the acknowledged ids; a batch holding an id acknowledged or queued here already is
   * skipped, as that id would be sent twice.
   */
  restore(snapshot, options) {
    if (!snapshot || typeof snapshot !== "object") return;
    for (const id of Array.isArray(snapshot.acknowledged) ? snapshot.acknowledged : []) {
      if (typeof id === "string") this.acknowledged.add(id);
    }
    super.restore(snapshot, options);
    this.#trimAcknowledged();
  }

  batchesOf(pending, limits) {
    const byUser = new Map();
    for (const p of pending) {
      if (!byUser.has(p.userId)) byUser.set(p.userId, []);
      byUser.get(p.userId).push(p);
    }
    const batches = [];
    for (const [userId, items] of byUser) {
      for (const { body, itemIds } of impressionBodies(userId, items, limits)) {
        batches.push({ userId, body, itemIds });
      }
    }
    return batches;
  }

  countOf(batch) {
    return batch.itemIds.length;
  }

  forget(batch) {
    for (const itemId of batch.itemIds) this.queued.delete(pair(batch.userId, itemId));
  }

  forgetPending(p) {
    this.queued.delete(pair(p.userId, p.itemId));
  }

  restoredBatch(b) {
    if (!Array.isArray(b.itemIds)) return null;
    const itemIds = b.itemIds.map(String);
    const userId = String(b.userId);
    const ids = itemIds.map((i) => pair(userId, i));
    if (ids.some((id) => this.acknowledged.has(id) || this.queued.has(id))) return null;
    ids.forEach((id) => this.queued.add(id));
    return { userId, itemIds };
  }

  restorePending(p) {
    if (p && typeof p.userId === "string" && typeof p.itemId === "string")
      this.add(p.userId, p.itemId, p);
  }

  #trimAcknowledged() {
    // a Set iterates in insertion order: the oldest acknowledgements go first
    for (const id of this.acknowledged) {
      if (this.acknowledged.size <= this.maxAcknowledged) break;
      this.acknowledged.delete(id);
    }
  }
}

/**
 * The interactions (`POST /v1/events`) one page has still to send. Unlike impressions they are not
 * deduplicated by item (two clicks are two clicks): only a batch's Idempotency-Key keeps a retry from
 * being applied twice.
 */
export class EventOutbox extends Queue {
  constructor({ newKey, maxQueued = 5_000 } = {}) {
    super({ newKey, maxQueued });
  }

  /** Queues one event: {type, userId, itemId, ts, rankingId?, position?, intent?, value?}. */
  add(event) {
    this.pending.push({ ...event });
    this.telemetry.queued++;
    this.bound();
  }

  batchesOf(pending, limits) {
    return eventBodies(pending, limits);
  }

  countOf(batch) {
    return batch.count;
  }

  forget() {}

  forgetPending() {}

  restoredBatch(b) {
    return Number.isInteger(b.count) && b.count > 0 ? { count: b.count } : null;
  }

  restorePending(p) {
    const valid = p && [p.type, p.userId, p.itemId].every((field) => typeof field === "string");
    if (valid) this.add(p);
  }
}

function pair(userId, itemId) {
  return `${userId}\u0000${itemId}`;
}
