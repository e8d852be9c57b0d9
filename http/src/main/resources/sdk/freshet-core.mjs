// The browser SDK's core (SPEC C12): which impressions are still to send, how they split into request
// bodies the edge accepts, and when a failed send is tried again. No DOM and no network here: the page
// layer (visibility, flush triggers, sendBeacon/fetch, storage) drives it, and Node's test runner covers
// it in the Maven build (http/src/test/js).

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
 * The impressions one page has still to send, and the ones the edge has acknowledged, which are never
 * sent again. Batches keep their Idempotency-Key across retries, so a batch whose answer was lost and
 * that is sent again is applied once. The state is plain data (`snapshot`/`restore`), for the offline
 * queue kept in storage across page loads; `maxQueued` bounds it (the oldest are dropped and counted).
 */
export class Outbox {
  constructor({ newKey, maxQueued = 10_000, maxAcknowledged = 50_000 } = {}) {
    if (typeof newKey !== "function") throw new TypeError("newKey must be a function");
    this.newKey = newKey;
    this.maxQueued = maxQueued;
    this.maxAcknowledged = maxAcknowledged;
    this.pending = []; // [{userId, itemId, surface, rankingId, position}], not yet in a batch
    this.batches = []; // [{key, userId, body, itemIds, attempts, notBefore}]
    this.acknowledged = new Set(); // "userId\u0000itemId"
    this.queued = new Set(); // the same, of every impression pending or in a batch
    this.telemetry = { queued: 0, flushed: 0, failed: 0, retried: 0, dropped: 0 };
  }

  /** Queues an impression unless it was acknowledged or is queued already; answers whether it was. */
  add(userId, itemId, { surface = null, rankingId = null, position = null } = {}) {
    const id = pair(userId, itemId);
    if (this.acknowledged.has(id) || this.queued.has(id)) return false;
    this.pending.push({ userId, itemId, surface, rankingId, position });
    this.queued.add(id);
    this.telemetry.queued++;
    this.#bound();
    return true;
  }

  /**
   * The batches ready to send at `now`: pending impressions become batches (per user, split to the
   * edge's limits, each with a new key), then every batch whose retry time has come.
   */
  due(now = Date.now(), limits = {}) {
    const byUser = new Map();
    for (const p of this.pending) {
      if (!byUser.has(p.userId)) byUser.set(p.userId, []);
      byUser.get(p.userId).push(p);
    }
    this.pending = [];
    for (const [userId, items] of byUser) {
      for (const { body, itemIds } of impressionBodies(userId, items, limits)) {
        this.batches.push({ key: this.newKey(), userId, body, itemIds, attempts: 0, notBefore: 0 });
      }
    }
    return this.batches.filter((b) => b.notBefore <= now);
  }

  /** The edge stored `batch` (2xx): its ids are never sent again. */
  acknowledge(batch) {
    if (!this.#remove(batch)) return;
    for (const itemId of batch.itemIds) this.acknowledged.add(pair(batch.userId, itemId));
    this.telemetry.flushed += batch.itemIds.length;
    this.#trimAcknowledged();
  }

  /**
   * Sending `batch` ended with `status` (0: no answer) and the server's `retryAfter`: a retryable
   * failure keeps it, with its key, for a later try; any other drops it as failed. Answers the delay
   * before the next try, or null when dropped.
   */
  failed(batch, status, { retryAfter = null, now = Date.now(), random = Math.random } = {}) {
    if (!this.batches.includes(batch)) return null;
    if (!retryable(status)) {
      this.#remove(batch);
      this.telemetry.failed += batch.itemIds.length;
      return null;
    }
    batch.attempts++;
    const delay = retryDelay(batch.attempts, { retryAfter, now, random });
    batch.notBefore = now + delay;
    this.telemetry.retried++;
    return delay;
  }

  /** How many impressions wait, in batches or not yet. */
  size() {
    return this.pending.length + this.batches.reduce((n, b) => n + b.itemIds.length, 0);
  }

  /** Plain data for storage: what waits (with its keys) and what was acknowledged. */
  snapshot() {
    return {
      pending: this.pending.map((p) => ({ ...p })),
      batches: this.batches.map((b) => ({ ...b, itemIds: [...b.itemIds] })),
      acknowledged: [...this.acknowledged],
    };
  }

  /**
   * Takes over what a snapshot holds (an earlier page, another tab), skipping anything already here or
   * acknowledged; malformed parts are ignored, as storage is the page's to tamper with.
   */
  restore(snapshot) {
    if (!snapshot || typeof snapshot !== "object") return;
    for (const id of Array.isArray(snapshot.acknowledged) ? snapshot.acknowledged : []) {
      if (typeof id === "string") this.acknowledged.add(id);
    }
    for (const b of Array.isArray(snapshot.batches) ? snapshot.batches : []) {
      if (!b || typeof b.key !== "string" || typeof b.body !== "string" || !Array.isArray(b.itemIds))
        continue;
      if (this.batches.some((mine) => mine.key === b.key)) continue;
      const itemIds = b.itemIds.map(String);
      const userId = String(b.userId);
      // an id acknowledged or queued here already would be sent twice
      if (itemIds.some((i) => this.acknowledged.has(pair(userId, i)) || this.queued.has(pair(userId, i))))
        continue;
      itemIds.forEach((i) => this.queued.add(pair(userId, i)));
      this.batches.push({
        key: b.key,
        userId,
        body: b.body,
        itemIds,
        attempts: Number.isInteger(b.attempts) ? b.attempts : 0,
        notBefore: 0,
      });
    }
    for (const p of Array.isArray(snapshot.pending) ? snapshot.pending : []) {
      if (p && typeof p.userId === "string" && typeof p.itemId === "string")
        this.add(p.userId, p.itemId, p);
    }
    this.#trimAcknowledged();
    this.#bound();
  }

  /** Takes `batch` out of the outbox, its ids no longer queued; answers whether it was there. */
  #remove(batch) {
    const index = this.batches.indexOf(batch);
    if (index < 0) return false;
    this.batches.splice(index, 1);
    for (const itemId of batch.itemIds) this.queued.delete(pair(batch.userId, itemId));
    return true;
  }

  /** Drops the oldest impressions beyond `maxQueued`, counting them. */
  #bound() {
    while (this.size() > this.maxQueued) {
      if (this.batches.length > 0) {
        const oldest = this.batches[0];
        this.#remove(oldest);
        this.telemetry.dropped += oldest.itemIds.length;
      } else {
        const p = this.pending.shift();
        this.queued.delete(pair(p.userId, p.itemId));
        this.telemetry.dropped++;
      }
    }
  }

  #trimAcknowledged() {
    // a Set iterates in insertion order: the oldest acknowledgements go first
    for (const id of this.acknowledged) {
      if (this.acknowledged.size <= this.maxAcknowledged) break;
      this.acknowledged.delete(id);
    }
  }
}

function pair(userId, itemId) {
  return `${userId}\u0000${itemId}`;
}
