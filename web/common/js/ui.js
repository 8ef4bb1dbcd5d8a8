// Small shared helpers. User text is only ever set with textContent.

export const $ = (selector, root = document) => root.querySelector(selector);

export function show(element, visible = true) {
  element.hidden = !visible;
}

// A message's tone: success and warning are spoken politely, an error at once; each has its
// own colour and mark (.tone-* in the pages' CSS).
export const LIVE_ROLES = { success: "status", warning: "status", error: "alert" };

/** Says `text` where it is seen: in the modal dialog open now (the page is behind its
 * overlay), else atop the page (#announce, or an alert region made beside it). */
export function announce(text, tone = "success") {
  const modal = [...document.querySelectorAll("dialog[open]")].find((each) => each.matches(":modal"));
  const home = modal || $("#announce").parentElement;
  for (const each of home.querySelectorAll(":scope > .announce")) each.textContent = "";
  let out = home.querySelector(`:scope > .announce[role=${LIVE_ROLES[tone]}]`);
  if (!out) {
    out = element("p");
    out.setAttribute("role", LIVE_ROLES[tone]);
    home.prepend(out);
  }
  out.className = `announce tone-${tone}`;
  // A fresh text node makes screen readers speak a repeated message again.
  window.setTimeout(() => {
    out.textContent = text;
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
