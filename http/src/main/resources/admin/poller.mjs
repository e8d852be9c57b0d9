// Runs a task now and then every interval, one run at a time: a slow answer delays the next run instead
// of piling requests up. refresh() (say, a new range) cancels the run in flight, so a late answer for
// the old range cannot overwrite the new one. While the tab is hidden the ticks are skipped; the page
// refreshes everything when it is shown again.

export class Poller {
  #intervalMs;
  #task;
  #timer = null;
  #controller = null;
  #stopped = true;

  /** `task(signal)` fetches and draws, showing its own errors; `signal` aborts when superseded. */
  constructor(intervalMs, task) {
    this.#intervalMs = intervalMs;
    this.#task = task;
  }

  start() {
    this.#stopped = false;
    this.refresh();
  }

  /** Runs the task now, cancelling a run in flight. */
  refresh() {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    Promise.resolve()
      .then(() => this.#task(controller.signal))
      .catch(() => {}) // the task reports its own failures; the next tick tries again
      .finally(() => {
        if (this.#controller !== controller) return; // superseded: that run schedules the next tick
        this.#controller = null;
        this.#schedule();
      });
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#controller?.abort();
    this.#controller = null;
  }

  #schedule() {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      if (document.hidden) this.#schedule();
      else this.refresh();
    }, this.#intervalMs);
  }
}
