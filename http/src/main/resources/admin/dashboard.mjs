// The admin dashboard (SPEC C9): sign-in with an admin key, the plots of the admin API's dashboard
// answers, the alerts and pool generation of this node, and the live event feed. ECharts comes from
// vendor/echarts.min.js, a classic script loaded before this module (it defines window.echarts).

import { ApiError, adminClient, forgetKey, getJson, isAbort, storeKey, storedKey } from "./api.mjs";
import { renderAlerts } from "./alerts.mjs";
import {
  activeUsersPlot,
  activityPlot,
  freshnessCaption,
  freshnessGaugePlot,
  freshnessHeatmapPlot,
  lagPlot,
  latencyPlot,
  poolPlot,
} from "./charts.mjs";
import { clockTime, setText } from "./dom.mjs";
import { FeedPanel } from "./feed.mjs";
import { PlotPanel } from "./panel.mjs";
import { Poller } from "./poller.mjs";

// The database-backed answers change slowly and cost a query; the node's samples come every 10 s.
const DB_REFRESH_MS = 30_000;
const NODE_REFRESH_MS = 10_000;

// Plot name → its container; the names are the keys of window.freshetDashboard.charts.
const PLOTS = {
  impressions: "plot-impressions",
  activeUsers: "plot-active-users",
  freshnessGauge: "plot-freshness-gauge",
  freshnessHeatmap: "plot-freshness-heatmap",
  latency: "plot-latency",
  lag: "plot-lag",
  pool: "plot-pool",
};

const $ = (id) => document.getElementById(id);

// For the browser tests: the live ECharts instances by plot name (getOption() shows what is drawn).
const charts = {};
window.freshetDashboard = { charts };

const number = new Intl.NumberFormat();

/** Everything one signed-in session runs; stop() ends all of it. */
class Session {
  #panels = {};
  #pollers = [];
  #feed;
  #lastMetrics = null;
  #listeners = new AbortController();

  constructor(key, onAuthFailure) {
    this.client = adminClient(key, onAuthFailure);
    this.#feed = new FeedPanel({ key, onAuthFailure });
  }

  start() {
    for (const [name, id] of Object.entries(PLOTS)) {
      this.#panels[name] = new PlotPanel(id, window.echarts);
      charts[name] = this.#panels[name].chart;
    }
    const activity = new Poller(DB_REFRESH_MS, (signal) => this.#loadActivity(signal));
    const freshness = new Poller(DB_REFRESH_MS, (signal) => this.#loadFreshness(signal));
    const metrics = new Poller(NODE_REFRESH_MS, (signal) => this.#loadMetrics(signal));
    const alerts = new Poller(NODE_REFRESH_MS, (signal) => this.#loadAlerts(signal));
    const pool = new Poller(NODE_REFRESH_MS, (signal) => this.#loadPool(signal));
    this.#pollers = [activity, freshness, metrics, alerts, pool];
    const signal = this.#listeners.signal;
    $("range").addEventListener(
      "change",
      () => {
        activity.refresh();
        freshness.refresh();
      },
      { signal },
    );
    $("metrics-range").addEventListener("change", () => metrics.refresh(), { signal });
    $("latency-log").addEventListener("change", () => this.#drawLatency(), { signal });
    document.addEventListener(
      "visibilitychange",
      () => {
        if (!document.hidden) for (const poller of this.#pollers) poller.refresh();
      },
      { signal },
    );
    for (const poller of this.#pollers) poller.start();
    this.#feed.start();
  }

  stop() {
    this.#listeners.abort();
    for (const poller of this.#pollers) poller.stop();
    this.#feed.stop();
    for (const [name, panel] of Object.entries(this.#panels)) {
      panel.dispose();
      delete charts[name];
    }
    for (const id of ["activity-totals", "active-users-total", "freshness-caption", "pool-summary-error", "alerts-error", "alerts-meta"]) {
      setText($(id), "");
    }
    $("pool-summary").replaceChildren();
    $("alerts").replaceChildren();
    setText($("node"), "");
    setText($("alerts-firing"), "");
  }

  /**
   * GETs `path` and hands the answer to `draw`; a failure goes to `fail` unless the request was only
   * cancelled (a newer range, or the session ended, which also covers a refused key).
   */
  async #load(path, signal, draw, fail) {
    let answer;
    try {
      answer = await this.client.get(path, { signal });
    } catch (error) {
      if (!isAbort(error) && !signal.aborted) fail(error);
      return;
    }
    if (signal.aborted) return;
    try {
      draw(answer);
    } catch (error) {
      // an answer this page cannot draw: say so on the panel, keep refreshing
      console.error(path, error);
      fail(error);
    }
  }

  #loadActivity(signal) {
    const range = $("range").value;
    return this.#load(
      `/v1/admin/dashboard/activity?range=${encodeURIComponent(range)}`,
      signal,
      (a) => {
        this.#panels.impressions.show(activityPlot(a));
        this.#panels.activeUsers.show(activeUsersPlot(a));
        const t = a.totals ?? {};
        setText(
          $("activity-totals"),
          `${number.format(t.impressions ?? 0)} impressions · ${number.format(t.interactions ?? 0)} interactions in ${a.range ?? range}`,
        );
        setText($("active-users-total"), `${number.format(t.activeUsers ?? 0)} distinct in ${a.range ?? range}`);
      },
      (error) => {
        this.#panels.impressions.fail(error);
        this.#panels.activeUsers.fail(error);
      },
    );
  }

  #loadFreshness(signal) {
    const range = $("range").value;
    return this.#load(
      `/v1/admin/dashboard/freshness?range=${encodeURIComponent(range)}`,
      signal,
      (f) => {
        this.#panels.freshnessGauge.show(freshnessGaugePlot(f));
        this.#panels.freshnessHeatmap.show(freshnessHeatmapPlot(f));
        setText($("freshness-caption"), freshnessCaption(f.kpi));
      },
      (error) => {
        this.#panels.freshnessGauge.fail(error);
        this.#panels.freshnessHeatmap.fail(error);
      },
    );
  }

  #loadMetrics(signal) {
    const range = $("metrics-range").value;
    return this.#load(
      `/v1/admin/dashboard/metrics?range=${encodeURIComponent(range)}`,
      signal,
      (m) => {
        this.#lastMetrics = m;
        this.#drawLatency();
        this.#panels.lag.show(lagPlot(m));
        this.#panels.pool.show(poolPlot(m));
        setText($("node"), m.node ? `node ${m.node}` : "");
      },
      (error) => {
        for (const name of ["latency", "lag", "pool"]) this.#panels[name].fail(error);
      },
    );
  }

  #drawLatency() {
    if (this.#lastMetrics) this.#panels.latency.show(latencyPlot(this.#lastMetrics, { log: $("latency-log").checked }));
  }

  #loadAlerts(signal) {
    return this.#load(
      "/v1/admin/alerts",
      signal,
      (answer) => {
        const firing = renderAlerts($("alerts"), answer);
        setText($("alerts-error"), "");
        const evaluated = answer.evaluatedAt ? clockTime(new Date(answer.evaluatedAt)) : clockTime();
        setText($("alerts-meta"), `this node · evaluated ${evaluated}`);
        setText($("alerts-firing"), firing ? `${firing} firing` : "");
      },
      (error) => setText($("alerts-error"), `Refresh failed at ${clockTime()}: ${error.message}`),
    );
  }

  #loadPool(signal) {
    return this.#load(
      "/v1/admin/pool",
      signal,
      (p) => {
        setText($("pool-summary-error"), "");
        renderPoolSummary($("pool-summary"), p);
      },
      (error) => setText($("pool-summary-error"), `Pool status failed at ${clockTime()}: ${error.message}`),
    );
  }
}

/** The pool's numbers now (GET /v1/admin/pool), beside its history plot. */
function renderPoolSummary(list, p) {
  const t = p.totals ?? {};
  const rows = [
    ["users at risk", p.usersAtRisk],
    ["waiting", p.waiting?.length],
    ["in flight", p.inFlight?.length],
    ["requests", t.requests],
    ["failed", t.failed],
    ["items generated", t.itemsGenerated],
    ["generator", p.generator],
  ];
  const nodes = [];
  for (const [label, value] of rows) {
    const term = document.createElement("dt");
    term.textContent = label;
    const detail = document.createElement("dd");
    detail.textContent = typeof value === "number" ? number.format(value) : (value ?? "—");
    nodes.push(term, detail);
  }
  list.replaceChildren(...nodes);
}

// ---- signing in and out ----

let session = null;

function showSignedIn(signedIn) {
  $("signin").hidden = signedIn;
  $("dashboard").hidden = !signedIn;
  $("signout").hidden = !signedIn;
}

function begin(key) {
  showSignedIn(true); // first: ECharts sizes its canvas from the visible containers
  const current = new Session(key, (error) => {
    if (session === current) signOut(error.message); // a late refusal must not end a newer session
  });
  session = current;
  current.start();
}

/** Ends the session and forgets the key; `message` says why, when it was not the user's choice. */
function signOut(message = "") {
  forgetKey();
  const ending = session;
  session = null;
  ending?.stop();
  showSignedIn(false);
  setText($("signin-error"), message);
  $("signin-key").focus();
}

async function signIn(event) {
  event.preventDefault(); // no navigation, and the key never becomes part of a URL
  const input = $("signin-key");
  const key = input.value.trim();
  if (!key) {
    setText($("signin-error"), "Enter an admin key.");
    return;
  }
  const button = $("signin-submit");
  button.disabled = true;
  setText($("signin-error"), "");
  try {
    // asks once before showing anything, so a wrong key is told here rather than by seven failing plots
    await getJson("/v1/admin/alerts", key);
  } catch (error) {
    // a refused key, or no answer at all, is this form's to report; any other failure is the
    // dashboard's to show, panel by panel
    if (!(error instanceof ApiError) || error.authFailure || error.status === 0) {
      setText($("signin-error"), error.message);
      button.disabled = false;
      return;
    }
  }
  button.disabled = false;
  input.value = "";
  storeKey(key);
  begin(key);
}

$("signin-form").addEventListener("submit", signIn);
$("signout").addEventListener("click", () => signOut());

const key = storedKey();
if (key) begin(key);
else showSignedIn(false);
