// One plot's DOM side: the ECharts instance in its container, the "no data yet" text, the data-points
// attribute (how many points the plot draws; the browser tests read it), and a note when a refresh
// fails. A failed refresh keeps the last plot: stale numbers with a visible note beat a blank card.

import { clockTime, el, setText } from "./dom.mjs";

export class PlotPanel {
  #resizeObserver;

  /** `echarts` is the UMD bundle's global (vendor/echarts.min.js). */
  constructor(containerId, echarts) {
    this.container = document.getElementById(containerId);
    this.note = this.container.closest(".card").querySelector(":scope > .card-note");
    this.container.dataset.state = "loading";
    // canvas, not SVG: the tests read its pixels
    this.chart = echarts.init(this.container, null, { renderer: "canvas" });
    // after init, which empties the container
    this.message = el("p", "plot-message", "loading…");
    this.container.append(this.message);
    this.#resizeObserver = new ResizeObserver(() => this.chart.resize());
    this.#resizeObserver.observe(this.container);
  }

  /** Draws `plot` ({option, points} from charts.js), or says there is no data yet. */
  show(plot) {
    setText(this.note, "");
    this.container.dataset.points = String(plot.points);
    if (!plot.points) {
      this.chart.clear();
      this.container.dataset.state = "empty";
      setText(this.message, "no data yet");
      return;
    }
    this.container.dataset.state = "ready";
    setText(this.message, "");
    this.chart.setOption(plot.option, { notMerge: true });
  }

  /** Notes a failed refresh; the plot keeps what it last drew. */
  fail(error) {
    setText(this.note, `Refresh failed at ${clockTime()}: ${error.message}`);
    if (this.container.dataset.state === "loading") setText(this.message, "could not load");
  }

  dispose() {
    this.#resizeObserver.disconnect();
    this.chart.dispose();
    this.message.remove();
    setText(this.note, "");
    delete this.container.dataset.points;
    delete this.container.dataset.state;
  }
}
