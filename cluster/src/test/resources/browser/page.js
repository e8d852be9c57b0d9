// A shop's page script: it renders items and hands their elements to the SDK (window.Freshet: the
// classic script's global, or the module namespace module.mjs puts there). The test drives it
// through WebDriver's executeScript as a shop's own code would call it.
"use strict";

window.shop = {
  /** Errors nobody caught, in this page: the test fails on any. */
  errors: [],

  /** Whether the SDK is here (a module script runs after the page has loaded). */
  ready() {
    return typeof window.Freshet === "object" && typeof window.Freshet.init === "function";
  },

  /**
   * One element per id in document order: full-width blocks `height` px tall, or with `tile` small
   * squares side by side.
   */
  render(ids, { height = 600, tile = false } = {}) {
    const list = document.getElementById("items");
    for (const id of ids) {
      const element = document.createElement("article");
      element.id = id;
      element.className = tile ? "item tile" : "item";
      element.style.height = `${height}px`;
      element.style.width = tile ? `${height}px` : "100%";
      element.textContent = tile ? "" : id;
      list.append(element);
    }
  },

  /** Observes each rendered element as the impression of its item, at its position in `ids`. */
  observe(ids, rankingId) {
    ids.forEach((id, position) => {
      Freshet.observe(document.getElementById(id), id, { rankingId, position });
    });
  },

  /** Scrolls `id`'s element to the top of the viewport, as a visitor's scrolling would. */
  scrollTo(id) {
    document.getElementById(id).scrollIntoView({ block: "start" });
  },

  /** Impressions and events waiting in the SDK's queues kept in this origin's storage. */
  storedWaiting() {
    let waiting = 0;
    for (const key of Object.keys(localStorage).filter((k) => k.startsWith("freshet:"))) {
      const stored = JSON.parse(localStorage.getItem(key));
      for (const queue of [stored.impressions, stored.events]) {
        waiting += queue.pending.length;
        for (const batch of queue.batches) waiting += batch.itemIds?.length ?? batch.count;
      }
    }
    return waiting;
  },
};

addEventListener("error", (event) => shop.errors.push(String(event.message)));
addEventListener("unhandledrejection", (event) => shop.errors.push(String(event.reason)));
