// Small DOM helpers. Text only ever goes in through textContent: ids in the data are input from
// anyone with an ingest key, so nothing from an answer is parsed as HTML.

/** A new element with an optional class and text. */
export function el(tag, className = null, text = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== null && text !== undefined) node.textContent = String(text);
  return node;
}

/** Sets an element's text and hides it when there is none. */
export function setText(node, text) {
  node.textContent = text ?? "";
  node.hidden = !text;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A time of day (local), for "updated at" notes and feed entries. */
export function clockTime(date = new Date()) {
  return clock.format(date);
}
