// A tiny tagged template that escapes every interpolated value, so pages cannot be injected.
const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Marks a string as already-safe HTML. */
export class SafeHtml {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

const escape = (value) =>
  value instanceof SafeHtml ? value.text
  : Array.isArray(value) ? value.map(escape).join('')
  : String(value ?? '').replace(/[&<>"']/g, (c) => entities[c]);

/** html`<p>${userText}</p>` → SafeHtml with userText escaped. */
export function html(strings, ...values) {
  return new SafeHtml(strings.reduce((out, text, i) => out + text + (i < values.length ? escape(values[i]) : ''), ''));
}
