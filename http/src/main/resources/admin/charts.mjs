// What each plot draws: ECharts options built from the admin API's answers. Pure functions, no DOM and
// no ECharts, so Node's test runner can cover them. Each returns {option, points}: `points` counts the
// data points the option draws, and 0 means there is nothing to draw (the panel then says "no data yet"
// instead of showing an empty frame).
//
// What counts as "no data": the database-backed answers fill every bucket, with zeros where nothing
// happened, so a range whose counts are all zero has no data. The node's metrics say null for a sample
// without data and 0 for a measured zero, so only nulls are missing there (and drawn as gaps).

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const COLORS = {
  impressions: "#2f6fd6",
  interactions: "#e07b1a",
  activeUsers: "#4f8a3c",
  ingestP50: "#9ec1f2",
  ingestP95: "#5a93e6",
  ingestP99: "#1f4fa3",
  rankingP95: "#f0a35a",
  rankingP99: "#c2570c",
  lag: "#7a4fc2",
  requests: "#8fb3e8",
  failures: "#d64545",
  usersAtRisk: "#c2570c",
  fresh: "#2e9e5b",
  stale: "#d64545",
  axis: "#8a94a6",
};

// The service-level objectives of docs/operations.md ("SLOs"), drawn as reference lines. They are not in
// any answer: Prometheus alerts on them, the node does not.
export const SLO = { ingestP99Ms: 50, rankingP99Ms: 25, readModelLagSeconds: 2 };

const EMPTY = Object.freeze({ option: null, points: 0 });

/** A finite number, or null (missing samples are null in the answers; anything else odd is too). */
function num(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function sum(values) {
  let total = 0;
  for (const v of values ?? []) total += num(v) ?? 0;
  return total;
}

function countValues(...arrays) {
  let n = 0;
  for (const values of arrays) for (const v of values ?? []) if (num(v) !== null) n++;
  return n;
}

/** Milliseconds since the epoch from an ISO string or epoch seconds; null if neither. */
export function toMillis(value) {
  if (typeof value === "number") return value * 1000;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** [[ms, value|null], …] for a time axis; `values` may be missing (all gaps). */
function pairs(times, values, map = (v) => v) {
  return (times ?? []).map((t, i) => {
    const v = num(values?.[i]);
    return [t * 1000, v === null ? null : map(v)];
  });
}

function tooltip(extra = {}) {
  // richText: ECharts' default HTML tooltips write style attributes, which the page's CSP refuses
  return { trigger: "axis", renderMode: "richText", confine: true, ...extra };
}

/** What every plot shares. */
function base(option) {
  return {
    // Redrawn every 10–30 s: an entry animation each time would only distract, and without one the
    // canvas holds the finished plot as soon as setOption returns.
    animation: false,
    aria: { enabled: true },
    textStyle: { fontFamily: FONT },
    tooltip: tooltip(),
    grid: { left: 8, right: 8, top: 30, bottom: 4, containLabel: true },
    ...option,
  };
}

function legend() {
  // one line, scrolled when the card is narrow, so it never wraps over the plot
  return { type: "scroll", top: 0, left: 0, right: 0, itemWidth: 14, itemHeight: 8, itemGap: 8, textStyle: { fontSize: 11 } };
}

function timeAxis(from, to) {
  const axis = {
    type: "time",
    axisLabel: { hideOverlap: true, fontSize: 11, color: "#4a5468" },
    axisLine: { lineStyle: { color: COLORS.axis } },
    splitLine: { show: false },
  };
  const min = toMillis(from);
  const max = toMillis(to);
  // the whole requested window, even when the data covers only part of it (a node started 5 min ago)
  if (min !== null) axis.min = min;
  if (max !== null) axis.max = max;
  return axis;
}

/**
 * A value axis. Plots with a legend leave `name` out (the names would collide with the legend): their
 * units are in the card's title, and a second axis takes its series' colour instead.
 */
function valueAxis(name, extra = {}, color = "#4a5468") {
  const axis = {
    type: "value",
    axisLabel: { fontSize: 11, color },
    splitLine: { lineStyle: { color: "#e6e9ef" } },
    ...extra,
  };
  if (name) {
    axis.name = name;
    axis.nameTextStyle = { fontSize: 11, color: "#4a5468", align: "left" };
  }
  return axis;
}

/**
 * A line's points, each alone between gaps (or the ends) marked to be drawn as a dot: a line needs two
 * points in a row, so a lone sample (the only ingest batch in a minute) would not show at all.
 */
export function withLonePointsMarked(data) {
  const missing = (i) => i < 0 || i >= data.length || data[i][1] === null;
  return data.map((point, i) =>
    !missing(i) && missing(i - 1) && missing(i + 1) ? { value: point, symbol: "circle", symbolSize: 4 } : point,
  );
}

function line(name, data, color, extra = {}) {
  return {
    type: "line",
    name,
    data: withLonePointsMarked(data),
    // symbols only where a point asks for one (the lone points)
    showSymbol: true,
    symbol: "none",
    connectNulls: false, // a sample without data is a gap, not a straight line across it
    lineStyle: { width: 1.6, color },
    itemStyle: { color },
    emphasis: { disabled: true },
    ...extra,
  };
}

/** A dashed line at {@code value}; {@code position} is where its label sits (ECharts' markLine label positions). */
function referenceLine(value, label, color, position = "insideEndTop") {
  return {
    silent: true,
    symbol: "none",
    lineStyle: { type: "dashed", color, width: 1 },
    label: { formatter: label, position, fontSize: 10, color },
    data: [{ yAxis: value }],
  };
}

// ---- GET /v1/admin/dashboard/activity ----

/** Impressions (first-time) and interactions per bucket; interactions on their own axis, as they are far fewer. */
export function activityPlot(a) {
  const buckets = a?.buckets ?? [];
  if (!buckets.length || sum(a.impressions) + sum(a.interactions) === 0) return EMPTY;
  const option = base({
    legend: legend(),
    xAxis: timeAxis(a.from, a.to),
    yAxis: [
      valueAxis(null, {}, COLORS.impressions),
      valueAxis(null, { splitLine: { show: false } }, COLORS.interactions),
    ],
    series: [
      line("impressions", pairs(buckets, a.impressions), COLORS.impressions, {
        areaStyle: { color: COLORS.impressions, opacity: 0.15 },
      }),
      line("interactions", pairs(buckets, a.interactions), COLORS.interactions, { yAxisIndex: 1 }),
    ],
  });
  return { option, points: countValues(a.impressions, a.interactions) };
}

/** Distinct active users per bucket. */
export function activeUsersPlot(a) {
  const buckets = a?.buckets ?? [];
  if (!buckets.length || sum(a.activeUsers) === 0) return EMPTY;
  const option = base({
    xAxis: timeAxis(a.from, a.to),
    yAxis: valueAxis("users", { minInterval: 1 }),
    grid: { left: 8, right: 8, top: 28, bottom: 4, containLabel: true },
    series: [
      {
        type: "bar",
        name: "active users",
        data: pairs(buckets, a.activeUsers),
        itemStyle: { color: COLORS.activeUsers },
        barMaxWidth: 18,
      },
    ],
  });
  return { option, points: countValues(a.activeUsers) };
}

// ---- GET /v1/admin/dashboard/freshness ----

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const dayHourFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** Labels for a category axis of buckets: the time of day within a day, the date for day buckets. */
export function bucketLabels(buckets, bucketSeconds) {
  const span = buckets.length ? buckets[buckets.length - 1] - buckets[0] : 0;
  const format = bucketSeconds >= 86400 ? dayFormat : span >= 86400 ? dayHourFormat : hourFormat;
  return buckets.map((t) => format.format(new Date(t * 1000)));
}

function percent(share) {
  return Math.round(share * 100);
}

/** "0–10 %": a coverage band (share of the active pool seen). */
export function bandLabel(band) {
  return `${percent(band.from)}–${percent(band.to)} %`;
}

/**
 * Users per time bucket (x) and coverage band (y), the colour counting users. Empty cells are left out,
 * so they show the background rather than the palest colour.
 */
export function freshnessHeatmapPlot(f) {
  const buckets = f?.buckets ?? [];
  const bands = f?.bands ?? [];
  const cells = [];
  let max = 0;
  (f?.users ?? []).forEach((row, i) =>
    (row ?? []).forEach((n, b) => {
      if (num(n) !== null && n > 0 && i < buckets.length && b < bands.length) {
        cells.push([i, b, n]);
        max = Math.max(max, n);
      }
    }),
  );
  if (!cells.length) return EMPTY;
  const xLabels = bucketLabels(buckets, f.bucketSeconds);
  const yLabels = bands.map(bandLabel);
  const option = base({
    tooltip: tooltip({
      trigger: "item",
      formatter: (p) =>
        `${xLabels[p.value[0]]}\n${yLabels[p.value[1]]} of the pool seen\n${p.value[2]} users`,
    }),
    grid: { left: 8, right: 72, top: 28, bottom: 4, containLabel: true },
    xAxis: {
      type: "category",
      data: xLabels,
      axisLabel: { hideOverlap: true, fontSize: 11, color: "#4a5468" },
      axisLine: { lineStyle: { color: COLORS.axis } },
      splitArea: { show: false },
    },
    yAxis: {
      type: "category",
      data: yLabels,
      name: "pool seen (low = fresh)",
      nameTextStyle: { fontSize: 11, color: "#4a5468", align: "left" },
      axisLabel: { fontSize: 11, color: "#4a5468" },
      axisLine: { lineStyle: { color: COLORS.axis } },
    },
    visualMap: {
      type: "continuous",
      min: 0,
      max: Math.max(max, 1),
      dimension: 2,
      calculable: true,
      orient: "vertical",
      right: 0,
      top: "middle",
      itemHeight: 120,
      itemWidth: 12,
      text: ["users", ""],
      textStyle: { fontSize: 11, color: "#4a5468" },
      inRange: { color: ["#e3edfb", "#8fb3e8", "#2f6fd6", "#16346e"] },
    },
    series: [
      {
        type: "heatmap",
        name: "users",
        data: cells,
        itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: "#1b2230", borderWidth: 1 } },
      },
    ],
  });
  return { option, points: cells.length };
}

/**
 * Which freshness KPI to show: this node's resident users (live) when it has any, else the feature
 * snapshots of the range's last two hours. Answers {value, source: "live"|"snapshot", users, threshold} or null.
 */
export function freshnessKpi(kpi) {
  const threshold = num(kpi?.threshold);
  if (num(kpi?.live) !== null) return { value: kpi.live, source: "live", users: kpi.liveUsers ?? null, threshold };
  if (num(kpi?.snapshot) !== null) {
    return { value: kpi.snapshot, source: "snapshot", users: kpi.snapshotUsers ?? null, threshold };
  }
  return null;
}

/** The sentence under the gauge: which KPI it shows, over how many users, and where the alert is. */
export function freshnessCaption(kpi) {
  const shown = freshnessKpi(kpi);
  const threshold = num(kpi?.threshold);
  const alert = threshold === null ? "" : ` Alert below ${percent(threshold)} %.`;
  if (!shown) return `No active users to judge yet.${alert}`;
  const users = shown.users === null ? "" : ` ${shown.users} ${shown.users === 1 ? "user" : "users"}`;
  const who =
    shown.source === "live"
      ? `Live: this node's${users || " resident users"}`
      : `From the feature snapshots of the last two hours:${users || " all users"}`;
  return `${who} (share with at least half of the active pool unseen).${alert}`;
}

/** The freshness KPI, 0–100 %, red below the alert threshold and a marker at it. */
export function freshnessGaugePlot(f) {
  const shown = freshnessKpi(f?.kpi);
  if (!shown) return EMPTY;
  const value = Math.round(shown.value * 1000) / 10;
  const threshold = shown.threshold;
  const geometry = { min: 0, max: 100, startAngle: 210, endAngle: -30, radius: "88%", center: ["50%", "58%"] };
  const series = [
    {
      type: "gauge",
      name: "freshness KPI",
      ...geometry,
      splitNumber: 5,
      axisLine: {
        lineStyle: {
          width: 14,
          color: threshold === null ? [[1, COLORS.fresh]] : [[threshold, COLORS.stale], [1, COLORS.fresh]],
        },
      },
      pointer: { width: 5, length: "62%", itemStyle: { color: "#2b3445" } },
      anchor: { show: true, size: 10, itemStyle: { color: "#2b3445" } },
      axisTick: { distance: -14, length: 5, lineStyle: { color: "#ffffff" } },
      splitLine: { distance: -14, length: 14, lineStyle: { color: "#ffffff", width: 2 } },
      axisLabel: { distance: 18, fontSize: 10, color: "#4a5468" },
      title: { offsetCenter: [0, "78%"], fontSize: 11, color: "#4a5468" },
      detail: { offsetCenter: [0, "48%"], fontSize: 22, fontWeight: 600, formatter: "{value} %", color: "#1b2230" },
      data: [{ value, name: shown.source === "live" ? "live, this node" : "feature snapshots" }],
    },
  ];
  if (threshold !== null) {
    // a second gauge that draws only a short pointer on the rim: the alert threshold
    series.push({
      type: "gauge",
      name: "alert threshold",
      ...geometry,
      axisLine: { show: false },
      axisTick: { show: false },
      splitLine: { show: false },
      axisLabel: { show: false },
      title: { show: false },
      detail: { show: false },
      pointer: { icon: "triangle", length: "16%", width: 10, offsetCenter: [0, "-96%"], itemStyle: { color: "#1b2230" } },
      data: [{ value: percent(threshold), name: "alert threshold" }],
    });
  }
  const option = base({
    tooltip: tooltip({ trigger: "item", formatter: (p) => `${p.seriesName}: ${p.value} %` }),
    series,
  });
  return { option, points: 1 };
}

// ---- GET /v1/admin/dashboard/metrics (this node's samples) ----

const LATENCY = [
  ["ingest p50", "ingestP50"],
  ["ingest p95", "ingestP95"],
  ["ingest p99", "ingestP99"],
  ["ranking p95", "rankingP95"],
  ["ranking p99", "rankingP99"],
];

/** Ingest and ranking latency percentiles in ms; on a log axis zeros cannot be drawn and become gaps. */
export function latencyPlot(m, { log = false } = {}) {
  const s = m?.series ?? {};
  const points = countValues(...LATENCY.map(([, key]) => s[key]));
  if (!points) return EMPTY;
  const map = log ? (v) => (v > 0 ? v : null) : (v) => v;
  const series = LATENCY.map(([name, key]) =>
    line(name, pairs(m.times, s[key], map), COLORS[key], key.startsWith("ranking") ? { lineStyle: { width: 1.6, color: COLORS[key], type: "dashed" } } : {}),
  );
  series[2].markLine = referenceLine(SLO.ingestP99Ms, "ingest p99 SLO", COLORS.ingestP99);
  // at the other end: the two lines are close on a linear axis, and their labels would overlap
  series[4].markLine = referenceLine(SLO.rankingP99Ms, "ranking p99 SLO", COLORS.rankingP99, "insideStartTop");
  const option = base({
    legend: legend(),
    xAxis: timeAxis(m.from, m.to),
    yAxis: valueAxis(null, log ? { type: "log", logBase: 10 } : {}),
    series,
  });
  return { option, points };
}

/** The read models' worst lag behind the journal, in seconds. */
export function lagPlot(m) {
  const values = m?.series?.readModelLag;
  const points = countValues(values);
  if (!points) return EMPTY;
  const option = base({
    grid: { left: 8, right: 8, top: 16, bottom: 4, containLabel: true },
    xAxis: timeAxis(m.from, m.to),
    // up to the SLO at least, so that a low lag reads as low
    yAxis: valueAxis(null, { max: (extent) => Math.max(extent.max, SLO.readModelLagSeconds * 1.25) }),
    series: [
      line("read-model lag", pairs(m.times, values), COLORS.lag, {
        areaStyle: { color: COLORS.lag, opacity: 0.12 },
        markLine: referenceLine(SLO.readModelLagSeconds, "lag SLO", COLORS.lag),
      }),
    ],
  });
  return { option, points };
}

/** Pool generation per sample: requests with their failures overlaid, and users at risk on a second axis. */
export function poolPlot(m) {
  const s = m?.series ?? {};
  const points = countValues(s.poolRequests, s.poolFailures, s.usersAtRisk);
  if (!points) return EMPTY;
  const option = base({
    legend: legend(),
    xAxis: timeAxis(m.from, m.to),
    yAxis: [
      valueAxis(null, { minInterval: 1 }),
      valueAxis(null, { minInterval: 1, splitLine: { show: false } }, COLORS.usersAtRisk),
    ],
    series: [
      {
        type: "bar",
        name: "requests",
        data: pairs(m.times, s.poolRequests),
        itemStyle: { color: COLORS.requests },
        barMaxWidth: 8,
        barMinWidth: 3, // a sample of an hour's plot is under a pixel wide: a request must still show
        barGap: "-100%", // failures are drawn over their requests, not beside them
        z: 3, // over the users-at-risk line, which would hide a lone bar
      },
      {
        type: "bar",
        name: "failures",
        data: pairs(m.times, s.poolFailures),
        itemStyle: { color: COLORS.failures },
        barMaxWidth: 8,
        barMinWidth: 3,
        z: 4,
      },
      line("users at risk", pairs(m.times, s.usersAtRisk), COLORS.usersAtRisk, { yAxisIndex: 1, step: "end" }),
    ],
  });
  return { option, points };
}
