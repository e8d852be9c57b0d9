// Node's test runner over the admin dashboard's pure parts (src/main/resources/admin): what each plot
// draws from an answer, the alerts' order and wording, and the live feed's filter, backoff and entries.
// The DOM and ECharts parts are the browser tests'. Run: node --test http/src/test/js/admin-dashboard.test.mjs
// (the modules are .mjs, so any Node with a test runner reads them as ES modules; the http module's
// build runs this file.)
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  activeUsersPlot,
  activityPlot,
  bandLabel,
  freshnessCaption,
  freshnessGaugePlot,
  freshnessHeatmapPlot,
  freshnessKpi,
  lagPlot,
  latencyPlot,
  poolPlot,
  withLonePointsMarked,
} from "../../main/resources/admin/charts.mjs";
import { formatDuration, formatValue, readingText, sortAlerts } from "../../main/resources/admin/alerts.mjs";
import { describe, filterValue, matches, reconnectDelay, statusText, validId } from "../../main/resources/admin/feed.mjs";

const activity = (impressions, interactions, activeUsers) => ({
  range: "24h",
  from: "2026-12-03T10:00:00Z",
  to: "2026-12-03T13:00:00Z",
  bucketSeconds: 3600,
  buckets: [1796292000, 1796295600, 1796299200],
  impressions,
  interactions,
  activeUsers,
});

test("activity: zero-filled buckets are no data; otherwise every bucket of both series is drawn", () => {
  assert.equal(activityPlot(activity([0, 0, 0], [0, 0, 0], [0, 0, 0])).points, 0);
  assert.equal(activityPlot({ buckets: [] }).points, 0);
  const plot = activityPlot(activity([5, 0, 7], [1, 0, 0], [2, 0, 3]));
  assert.equal(plot.points, 6);
  assert.deepEqual(plot.option.series[0].data[0], [1796292000000, 5]);
  assert.equal(plot.option.series[1].yAxisIndex, 1);
  assert.equal(plot.option.tooltip.renderMode, "richText");
  assert.equal(plot.option.xAxis.min, Date.parse("2026-12-03T10:00:00Z"));
});

test("active users: its own plot, empty when nobody was active", () => {
  assert.equal(activeUsersPlot(activity([5, 0, 7], [0, 0, 0], [0, 0, 0])).points, 0);
  const plot = activeUsersPlot(activity([5, 0, 7], [0, 0, 0], [2, 0, 3]));
  assert.equal(plot.points, 3);
  assert.equal(plot.option.series[0].type, "bar");
});

const bands = Array.from({ length: 10 }, (_, b) => ({ from: b / 10, to: (b + 1) / 10 }));

test("heatmap: one cell per non-empty bucket and band, coloured up to the largest count", () => {
  const users = [Array(10).fill(0), Array(10).fill(0)];
  const empty = { buckets: [1796292000, 1796295600], bucketSeconds: 3600, bands, users };
  assert.equal(freshnessHeatmapPlot(empty).points, 0);
  users[0][1] = 4;
  users[1][9] = 11;
  const plot = freshnessHeatmapPlot(empty);
  assert.equal(plot.points, 2);
  assert.deepEqual(plot.option.series[0].data, [
    [0, 1, 4],
    [1, 9, 11],
  ]);
  assert.equal(plot.option.visualMap.max, 11);
  assert.equal(plot.option.yAxis.data.length, 10);
  assert.equal(plot.option.xAxis.data.length, 2);
  assert.equal(bandLabel({ from: 0.1, to: 0.2 }), "10–20 %");
});

test("gauge: the live KPI when there is one, else the snapshots', with the threshold marked", () => {
  const kpi = { live: null, liveUsers: 0, snapshot: 0.9, snapshotUsers: 40, threshold: 0.5 };
  assert.deepEqual(freshnessKpi(kpi), { value: 0.9, source: "snapshot", users: 40, threshold: 0.5 });
  assert.equal(freshnessKpi({ ...kpi, live: 0.934, liveUsers: 12 }).source, "live");
  const plot = freshnessGaugePlot({ kpi: { ...kpi, live: 0.934, liveUsers: 12 } });
  assert.equal(plot.points, 1);
  assert.equal(plot.option.series[0].data[0].value, 93.4);
  assert.deepEqual(plot.option.series[0].axisLine.lineStyle.color[0], [0.5, "#d64545"]);
  assert.equal(plot.option.series[1].data[0].value, 50);
  assert.match(freshnessCaption({ ...kpi, live: 0.934, liveUsers: 12 }), /^Live: this node's 12 users.*Alert below 50 %/);
  assert.match(freshnessCaption(kpi), /snapshots.*40 users/);
  assert.equal(freshnessGaugePlot({ kpi: { ...kpi, snapshot: null } }).points, 0);
  assert.match(freshnessCaption({ ...kpi, snapshot: null }), /^No active users/);
});

const metrics = (series) => ({ from: "2026-12-03T12:00:00Z", to: "2026-12-03T12:01:00Z", times: [1796299200, 1796299210, 1796299220], series });

test("node metrics: nulls are gaps, not points; all nulls is no data; zero is a value", () => {
  assert.equal(latencyPlot(metrics({})).points, 0);
  assert.equal(lagPlot(metrics({ readModelLag: [null, null, null] })).points, 0);
  assert.equal(lagPlot(metrics({ readModelLag: [0, 0, 0] })).points, 3);
  const latency = latencyPlot(metrics({ ingestP99: [12, null, 30], rankingP95: [0, 2, 3] }));
  assert.equal(latency.points, 5);
  assert.equal(latency.option.series.length, 5);
  assert.deepEqual(latency.option.series[2].data[1], [1796299210000, null]);
  assert.equal(latency.option.series[2].connectNulls, false);
  // a point between gaps is a dot (a line needs two in a row); points in a row are only the line
  assert.deepEqual(latency.option.series[2].data[0], { value: [1796299200000, 12], symbol: "circle", symbolSize: 4 });
  assert.deepEqual(latency.option.series[2].data[2], { value: [1796299220000, 30], symbol: "circle", symbolSize: 4 });
  assert.equal(latency.option.series[2].symbol, "none");
  assert.deepEqual(latency.option.series[3].data[1], [1796299210000, 2]);
  // the two SLO lines (50 and 25 ms) are close: their labels sit at opposite ends
  const sloLabels = [2, 4].map((i) => latency.option.series[i].markLine.label);
  assert.deepEqual(sloLabels.map((l) => l.formatter), ["ingest p99 SLO", "ranking p99 SLO"]);
  assert.deepEqual(sloLabels.map((l) => l.position), ["insideEndTop", "insideStartTop"]);
  // a log axis cannot draw zero
  assert.equal(latencyPlot(metrics({ rankingP95: [0, 2, 3] }), { log: true }).option.series[3].data[0][1], null);
  const pool = poolPlot(metrics({ poolRequests: [1, 0, 2], poolFailures: [0, 0, 1], usersAtRisk: [null, 3, 4] }));
  assert.equal(pool.points, 8);
  assert.deepEqual(pool.option.series.map((s) => s.type), ["bar", "bar", "line"]);
  assert.equal(pool.option.series[2].yAxisIndex, 1);
});

test("lone points: only a value with gaps (or ends) on both sides", () => {
  const dot = (value) => ({ value, symbol: "circle", symbolSize: 4 });
  assert.deepEqual(withLonePointsMarked([]), []);
  assert.deepEqual(withLonePointsMarked([[1, 5]]), [dot([1, 5])]);
  assert.deepEqual(withLonePointsMarked([[1, 5], [2, 6], [3, null], [4, 0], [5, null]]), [[1, 5], [2, 6], [3, null], dot([4, 0]), [5, null]]);
  assert.deepEqual(withLonePointsMarked([[1, null], [2, null]]), [[1, null], [2, null]]);
});

test("alerts: firing first, then pending, then ok; value against threshold", () => {
  const order = sortAlerts([{ state: "ok" }, { state: "firing" }, { state: "pending" }, { state: "firing", n: 2 }]);
  assert.deepEqual(
    order.map((a) => a.state),
    ["firing", "firing", "pending", "ok"],
  );
  assert.equal(order[1].n, 2);
  assert.equal(formatValue(0.243114), "0.243");
  assert.equal(formatValue(null), "—");
  assert.equal(formatDuration(900), "15m");
  assert.equal(formatDuration(90), "1m 30s");
  assert.equal(formatDuration(0), "0s");
  assert.equal(readingText({ value: 0.42, comparison: "<", threshold: 0.5, forSeconds: 900 }), "value 0.42 · fires when < 0.5 for 15m");
  assert.equal(readingText({ value: 1, comparison: ">", threshold: 0, forSeconds: 0 }), "value 1 · fires when > 0");
});

test("feed: filter values, ids and matching", () => {
  assert.equal(filterValue("  "), null);
  assert.equal(filterValue(" u1 "), "u1");
  assert.ok(validId(null) && validId("user:42@x.y-z_1"));
  assert.ok(!validId("a b") && !validId("<img>") && !validId("x".repeat(129)));
  const impression = { type: "impression", userId: "u1", itemIds: ["i1", "i2"] };
  const click = { type: "interaction", userId: "u2", itemId: "i2" };
  assert.ok(matches(impression, { userId: null, itemId: null }));
  assert.ok(matches(impression, { userId: "u1", itemId: "i2" }));
  assert.ok(!matches(impression, { userId: "u2", itemId: null }));
  assert.ok(matches(click, { userId: null, itemId: "i2" }));
  assert.ok(!matches(click, { userId: null, itemId: "i1" }));
});

test("feed: reconnect delays double from 1 s to at most 30 s, spread ±20 %", () => {
  assert.equal(reconnectDelay(0, () => 0.5), 1000);
  assert.equal(reconnectDelay(3, () => 0.5), 8000);
  assert.equal(reconnectDelay(10, () => 0.5), 30000);
  assert.equal(reconnectDelay(0, () => 0), 800);
  assert.equal(reconnectDelay(0, () => 1), 1200);
});

test("feed: entries and the status line", () => {
  const many = Array.from({ length: 10 }, (_, i) => `i${i}`);
  const entry = describe({ type: "impression", at: "2026-12-03T12:00:00Z", userId: "u1", itemIds: many, surface: "home", recorded: 9, duplicates: 1 });
  assert.equal(entry.user, "u1");
  assert.equal(entry.items, "i0, i1, i2, i3, i4, i5, i6, i7 … +2");
  assert.equal(entry.detail, "home · 9 new · 1 repeated");
  assert.equal(describe({ type: "ranking", userId: "u1", itemIds: ["a"], variant: "v" }).detail, "variant v · 1 item");
  assert.equal(describe({ type: "interaction", userId: "u1", itemId: "i1", kind: "click", position: 0 }).detail, "click · position 0");
  const filter = { userId: "u1", itemId: null };
  assert.equal(statusText({ state: "connected", node: "n1", dropped: 3, paused: false, filter }), "connected to n1 · 3 dropped · only user u1");
  assert.equal(statusText({ state: "connected", dropped: 0, paused: true, filter }), "paused · 0 dropped · only user u1");
  assert.equal(statusText({ state: "reconnecting", retryInMs: 1600 }), "disconnected; reconnecting in 2 s");
});
