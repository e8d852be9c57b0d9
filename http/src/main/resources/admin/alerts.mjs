// The alerts panel: SPEC C9's alert rules as this node evaluates them now (GET /v1/admin/alerts),
// firing first, then pending, then ok, each with its value against its threshold.

import { clockTime, el } from "./dom.mjs";

const ORDER = { firing: 0, pending: 1, ok: 2 };

/** A value as an operator reads it: integers as they are, others to three significant digits. */
export function formatValue(value) {
  if (value === null || value === undefined) return "—";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}

/** "15m", "1m 30s", "2h": an alert's "for". */
export function formatDuration(seconds) {
  const parts = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || !parts.length) parts.push(`${s}s`);
  return parts.join(" ");
}

/** Firing first, then pending, then ok; the server's order within each. */
export function sortAlerts(alerts) {
  return [...(alerts ?? [])].sort((a, b) => (ORDER[a.state] ?? 3) - (ORDER[b.state] ?? 3));
}

/** "value 0.42 · fires when < 0.5 for 15m". */
export function readingText(alert) {
  const hold = alert.forSeconds > 0 ? ` for ${formatDuration(alert.forSeconds)}` : "";
  return `value ${formatValue(alert.value)} · fires when ${alert.comparison} ${formatValue(alert.threshold)}${hold}`;
}

function alertItem(alert) {
  const item = el("li", "alert");
  item.dataset.state = alert.state;
  const head = el("div", "alert-head");
  head.append(
    el("span", "alert-state", alert.state),
    el("span", "alert-name", alert.name),
    el("span", "alert-severity", alert.severity),
  );
  item.append(head, el("p", "alert-summary", alert.summary), el("p", "alert-reading", readingText(alert)));
  if (alert.activeSince) {
    const since = new Date(alert.activeSince);
    const text = Number.isNaN(since.getTime()) ? alert.activeSince : clockTime(since);
    item.append(el("p", "alert-since", `${alert.state} since ${text}`));
  }
  if (alert.note) item.append(el("p", "alert-note", alert.note));
  // the long description and where to change the rule, on hover
  item.title = `${alert.description}\n(${alert.config})`;
  return item;
}

/** Renders the answer into the list; answers how many alerts are firing. */
export function renderAlerts(list, answer) {
  const alerts = sortAlerts(answer?.alerts);
  if (!alerts.length) {
    list.replaceChildren(el("li", "alerts-empty", "No alert rules."));
    return 0;
  }
  list.replaceChildren(...alerts.map(alertItem));
  return alerts.filter((a) => a.state === "firing").length;
}
