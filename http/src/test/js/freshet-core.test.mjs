// Node's test runner over the SDK's core (run by the http module's Maven build: node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EventOutbox,
  MAX_BYTES,
  MAX_IDS,
  Outbox,
  REPLAY_MS,
  byteLength,
  eventBodies,
  impressionBodies,
  retryAfterMs,
  retryDelay,
  retryable,
} from "../../main/resources/sdk/freshet-core.mjs";

test("bytes are counted as UTF-8, as the edge limits them", () => {
  assert.equal(byteLength("abc"), 3);
  assert.equal(byteLength("é"), 2);
  assert.equal(byteLength("😀"), 4); // two UTF-16 units, four bytes
});

test("a user's impressions split at 1,000 ids and keep their order", () => {
  const items = Array.from({ length: 2_500 }, (_, i) => ({ itemId: `item-${i}` }));
  const bodies = impressionBodies("u1", items);
  assert.deepEqual(
    bodies.map((b) => b.itemIds.length),
    [MAX_IDS, MAX_IDS, 500],
  );
  const sent = bodies.flatMap((b) => JSON.parse(b.body).itemIds);
  assert.deepEqual(sent, items.map((i) => i.itemId));
  for (const b of bodies) assert.equal(JSON.parse(b.body).userId, "u1");
});

test("bodies never exceed 64 KiB, counted in bytes of multi-byte ids", () => {
  // 128 characters of 3 bytes each: 384 bytes an id, so far fewer than 1,000 fit
  const items = Array.from({ length: 900 }, (_, i) => ({
    itemId: `${i}`.padStart(4, "0") + "€".repeat(124),
    position: i,
  }));
  const bodies = impressionBodies("user-€", items);
  assert.ok(bodies.length > 1);
  for (const b of bodies) {
    assert.ok(byteLength(b.body) <= MAX_BYTES, `${byteLength(b.body)} bytes`);
    const parsed = JSON.parse(b.body);
    assert.equal(parsed.positions.length, parsed.itemIds.length);
  }
  // the split is tight: one more id would not have fitted
  const first = JSON.parse(bodies[0].body);
  const next = items[first.itemIds.length];
  first.itemIds.push(next.itemId);
  first.positions.push(next.position);
  assert.ok(byteLength(JSON.stringify(first)) > MAX_BYTES);
  assert.deepEqual(
    bodies.flatMap((b) => b.itemIds),
    items.map((i) => i.itemId),
  );
});

test("a body holds one surface and ranking, and positions for all its ids or none", () => {
  const bodies = impressionBodies("u1", [
    { itemId: "a", surface: "home", rankingId: "r1", position: 0 },
    { itemId: "b", surface: "home", rankingId: "r1", position: 1 },
    { itemId: "c", surface: "home" },
    { itemId: "d", surface: "search", rankingId: "r2", position: 0 },
  ]);
  assert.deepEqual(
    bodies.map((b) => JSON.parse(b.body)),
    [
      { userId: "u1", itemIds: ["a", "b"], surface: "home", rankingId: "r1", positions: [0, 1] },
      { userId: "u1", itemIds: ["c"], surface: "home" },
      { userId: "u1", itemIds: ["d"], surface: "search", rankingId: "r2", positions: [0] },
    ],
  );
});

test("network errors, 408, 409, 429 and 5xx are retried; other 4xx are not", () => {
  for (const s of [0, undefined, 408, 409, 429, 500, 502, 503]) assert.ok(retryable(s), `${s}`);
  for (const s of [400, 401, 403, 404, 413, 415, 422]) assert.ok(!retryable(s), `${s}`);
});

test("backoff doubles to its cap with full jitter, and waits at least Retry-After", () => {
  const top = (attempt) => retryDelay(attempt, { random: () => 0.999999 });
  assert.equal(top(1), 499);
  assert.equal(top(2), 999);
  assert.equal(top(3), 1_999);
  assert.equal(top(20), 29_999);
  assert.equal(retryDelay(5, { random: () => 0 }), 0);
  assert.equal(retryDelay(1, { random: () => 0, retryAfter: "3" }), 3_000);
  const now = Date.parse("2026-12-03T10:00:00Z");
  assert.equal(retryAfterMs("Thu, 03 Dec 2026 10:00:07 GMT", now), 7_000);
  assert.equal(retryAfterMs("in a while", now), 0);
  assert.equal(retryAfterMs(null, now), 0);
  assert.equal(retryAfterMs("Thu, 03 Dec 2026 09:00:00 GMT", now), 0);
});

function keys() {
  let n = 0;
  return () => `key-${++n}`;
}

test("an acknowledged impression is never queued or sent again", () => {
  const outbox = new Outbox({ newKey: keys() });
  assert.ok(outbox.add("u1", "a"));
  assert.ok(!outbox.add("u1", "a")); // already queued
  assert.ok(outbox.add("u2", "a")); // another user's
  const due = outbox.due(0);
  assert.equal(due.length, 2);
  due.forEach((b) => outbox.acknowledge(b));
  assert.ok(!outbox.add("u1", "a"));
  assert.equal(outbox.due(0).length, 0);
  assert.deepEqual(outbox.telemetry, { queued: 2, flushed: 2, failed: 0, retried: 0, dropped: 0 });
});

test("a retried batch keeps its Idempotency-Key and waits for its backoff", () => {
  const outbox = new Outbox({ newKey: keys() });
  outbox.add("u1", "a");
  outbox.add("u1", "b");
  const [batch] = outbox.due(1_000);
  assert.equal(batch.key, "key-1");
  const delay = outbox.failed(batch, 503, { retryAfter: "2", now: 1_000, random: () => 0.5 });
  assert.equal(delay, 2_000);
  assert.deepEqual(outbox.due(2_999), []);
  const [again] = outbox.due(3_000);
  assert.equal(again.key, "key-1");
  assert.deepEqual(JSON.parse(again.body).itemIds, ["a", "b"]);
  outbox.acknowledge(again);
  assert.equal(outbox.size(), 0);
  assert.equal(outbox.telemetry.retried, 1);
  assert.equal(outbox.telemetry.flushed, 2);
});

test("bad input is dropped as failed, not retried forever", () => {
  const outbox = new Outbox({ newKey: keys() });
  outbox.add("u1", "a");
  const [batch] = outbox.due(0);
  assert.equal(outbox.failed(batch, 400), null);
  assert.equal(outbox.size(), 0);
  assert.equal(outbox.telemetry.failed, 1);
  assert.ok(outbox.add("u1", "a")); // never acknowledged: it may be recorded later
});

test("the offline queue survives a reload with its keys and skips what is known", () => {
  const first = new Outbox({ newKey: keys() });
  first.add("u1", "a");
  first.add("u1", "b");
  const [batch] = first.due(0);
  first.failed(batch, 0, { random: () => 0 });
  first.add("u1", "c");
  first.acknowledge(first.due(0).find((b) => b.itemIds.includes("c")) ?? { itemIds: [] });
  const stored = JSON.parse(JSON.stringify(first.snapshot()));

  const second = new Outbox({ newKey: () => "fresh" });
  second.restore(stored);
  second.restore(stored); // a second tab's copy of the same queue adds nothing
  second.restore({ batches: [{ key: 1 }, null], pending: "nope", acknowledged: [3] });
  const due = second.due(0);
  assert.equal(due.length, 1);
  assert.equal(due[0].key, "key-1");
  assert.deepEqual(due[0].itemIds, ["a", "b"]);
  assert.ok(!second.add("u1", "c")); // acknowledged before the reload
  assert.ok(!second.add("u1", "a")); // still queued
});

test("the queue is bounded: the oldest are dropped and counted", () => {
  const outbox = new Outbox({ newKey: keys(), maxQueued: 3 });
  for (const id of ["a", "b", "c", "d", "e"]) outbox.add("u1", id);
  assert.equal(outbox.size(), 3);
  assert.equal(outbox.telemetry.dropped, 2);
  assert.deepEqual(outbox.due(0)[0].itemIds, ["c", "d", "e"]);
  assert.ok(outbox.add("u1", "a")); // dropped, never sent: it may be queued again
});

test("events split at 1,000 and at 64 KiB, in order", () => {
  const small = Array.from({ length: 1_500 }, (_, i) => ({
    type: "click",
    userId: "u1",
    itemId: `${i}`,
  }));
  assert.deepEqual(
    eventBodies(small).map((b) => b.count),
    [1_000, 500],
  );
  const large = Array.from({ length: 600 }, (_, i) => ({
    type: "click",
    userId: "u1",
    itemId: `item-${i}`,
    intent: "€".repeat(64),
  }));
  const bodies = eventBodies(large);
  assert.ok(bodies.length > 1);
  for (const b of bodies) {
    assert.ok(byteLength(b.body) <= MAX_BYTES);
    assert.equal(JSON.parse(b.body).events.length, b.count);
  }
  assert.deepEqual(
    bodies.flatMap((b) => JSON.parse(b.body).events),
    large,
  );
  // tight: the next event would not have fitted
  const next = JSON.stringify(large[bodies[0].count]);
  assert.ok(byteLength(bodies[0].body) + 1 + byteLength(next) > MAX_BYTES);
});

test("events are not deduplicated: two clicks are two clicks, each batch its own key", () => {
  const outbox = new EventOutbox({ newKey: keys() });
  outbox.add({ type: "click", userId: "u1", itemId: "a", ts: 1 });
  outbox.add({ type: "click", userId: "u1", itemId: "a", ts: 2 });
  const [batch] = outbox.due(0);
  assert.equal(batch.count, 2);
  assert.equal(batch.key, "key-1");
  assert.equal(outbox.failed(batch, 429, { retryAfter: "1", now: 0, random: () => 0 }), 1_000);
  outbox.acknowledge(outbox.due(1_000)[0]);
  outbox.add({ type: "click", userId: "u1", itemId: "a", ts: 3 });
  assert.equal(outbox.due(1_000)[0].key, "key-2");
  assert.deepEqual(outbox.telemetry, { queued: 3, flushed: 2, failed: 0, retried: 1, dropped: 0 });
  assert.equal(outbox.size(), 1);
});

test("a beaconed batch waits for the next page, or for resume, under its key", () => {
  const outbox = new EventOutbox({ newKey: keys() });
  outbox.add({ type: "like", userId: "u1", itemId: "a" });
  const [batch] = outbox.due(0);
  outbox.beaconed(batch, 5_000);
  assert.deepEqual(outbox.due(60_000), []);
  const stored = JSON.parse(JSON.stringify(outbox.snapshot()));

  const next = new EventOutbox({ newKey: () => "fresh" });
  next.restore(stored, { now: 10_000 });
  assert.deepEqual(
    next.due(10_000).map((b) => [b.key, b.beaconed, b.beaconedAt]),
    [["key-1", false, 5_000]],
  );
  outbox.resume();
  assert.equal(outbox.due(60_000)[0].key, "key-1");

  // the edge no longer knows a key beaconed that long ago; the batch most likely arrived
  const late = new EventOutbox({ newKey: () => "fresh" });
  late.restore(stored, { now: 5_000 + REPLAY_MS + 1 });
  assert.equal(late.size(), 0);
});

test("impressions another tab had acknowledged are not sent from here", () => {
  const outbox = new Outbox({ newKey: keys() });
  outbox.add("u1", "a");
  outbox.add("u1", "b");
  outbox.learn("u1", ["a", "c"]);
  assert.deepEqual(outbox.due(0)[0].itemIds, ["b"]);
  assert.ok(!outbox.add("u1", "c"));
  assert.ok(outbox.add("u2", "c"));
});

test("the oldest go first when dropped, batches before pending entries", () => {
  const outbox = new EventOutbox({ newKey: keys(), maxQueued: 10 });
  for (let i = 0; i < 3; i++) outbox.add({ type: "click", userId: "u1", itemId: `${i}` });
  outbox.due(0);
  outbox.add({ type: "click", userId: "u1", itemId: "late" });
  assert.ok(outbox.dropOldest());
  assert.deepEqual(
    outbox.snapshot().pending.map((p) => p.itemId),
    ["late"],
  );
  assert.equal(outbox.telemetry.dropped, 3);
  assert.ok(outbox.dropOldest());
  assert.ok(!outbox.dropOldest());
  assert.equal(outbox.telemetry.dropped, 4);
});
