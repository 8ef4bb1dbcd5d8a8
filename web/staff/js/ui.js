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

export const HELPER_LABELS = {
  refill: "Open encounter note",
  appointment: "Draft appointment",
  records: "Create release task",
  demographics: "Review changes",
  message: "Reply",
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

/** The 409 answer's current state, in words. */
export function conflictText(error) {
  const state = error.current ? stateLabel(error.current.state) : "changed";
  const by = error.current && error.current.dismissed_by ? ` by ${error.current.dismissed_by}` : "";
  return `Someone else handled this item first. It is now: ${state}${by}.`;
}

// Patients: the status badge (templates in the page); forms the API's errors name a field of.
export const patientPath = (id, rest = "") => `/api/staff/patients/${encodeURIComponent(id)}${rest}`;

export const badge = (status) => $(`#badge-${status}`).content.firstElementChild.cloneNode(true);

/** Named inputs as the API's fields: checkboxes as booleans, text trimmed. */
export function formValues(form) {
  const values = {};
  for (const input of form.querySelectorAll("[name]")) {
    values[input.name] = input.type === "checkbox" ? input.checked : input.value.trim();
  }
  return values;
}

/** A 4xx answer's message (or none); the input it names marked and focused. */
export function fieldError(form, out, failure) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  out.textContent = failure ? failure.message : "";
  out.className = failure ? "error" : "note";
  const input = failure && failure.field && form.elements[failure.field];
  if (!input || !input.labels) return;
  // The API says `first_name: ...`; the page says the label.
  out.textContent = failure.message.replace(`${failure.field}:`, `${input.labels[0].textContent}:`);
  input.setAttribute("aria-invalid", "true");
  input.focus();
}
