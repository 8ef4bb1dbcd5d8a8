// Small shared helpers. User text is only ever set with textContent.

export const $ = (selector, root = document) => root.querySelector(selector);

export function show(element, visible = true) {
  element.hidden = !visible;
}

export function announce(text) {
  const region = $("#announce");
  region.textContent = "";
  // A fresh text node makes screen readers speak a repeated message again.
  window.setTimeout(() => {
    region.textContent = text;
  }, 30);
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export const TYPE_LABELS = {
  refill: "Prescription refill",
  appointment: "Appointment",
  records: "Records",
  demographics: "Demographic changes",
  message: "Secure message",
};

export const STATE_LABELS = {
  open: "Open",
  completed: "Completed",
  not_completed: "Will not be completed",
};

export const typeLabel = (type) => TYPE_LABELS[type] || type;
export const stateLabel = (state) => STATE_LABELS[state] || state;

const whenFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium" });

export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : whenFormat.format(date);
}

export function day(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dayFormat.format(date);
}
