/* What only the staff pages show: helper buttons, conflicts, patient paths and badges. */
import { $, stateLabel } from "../../common/js/ui.js";

export const HELPER_LABELS = {
  refill: "Open encounter note",
  appointment: "Draft appointment",
  records: "Create release task",
  demographics: "Review changes",
  message: "Reply",
};

/** The 409 answer's current state, in words. */
export function conflictText(error) {
  const state = error.current ? stateLabel(error.current.state) : "changed";
  const by = error.current && error.current.dismissed_by ? ` by ${error.current.dismissed_by}` : "";
  const holder = error.current && error.current.state === "open" && error.current.assigned_to;
  return `Someone else handled this item first. It is now: ${state}${by}.${holder ? ` ${holder} has it now.` : ""}`;
}

// Patients: the status badge (templates in the page) and a form's values as the API's fields.
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

// The words for what a patient fills in (#detail-words), in the page's order.
const word = (attribute, key) => $("#detail-words").content.querySelector(`[${attribute}="${CSS.escape(key)}"]`);
export const fieldLabel = (field) => (word("data-field", field) || { textContent: field }).textContent;
export const valueWord = (key, fallback = key) => (word("data-value", key) || { textContent: fallback }).textContent;

/** [label, value] of each field filled in; a demographics request's changes each on their own. */
export function filledIn(details) {
  const fields = { ...details, ...details.changes };
  const pairs = [];
  for (const { dataset, textContent } of $("#detail-words").content.querySelectorAll("[data-field]")) {
    const text = [fields[dataset.field] ?? ""].flat().join("; ");
    if (text) pairs.push([textContent, valueWord(`${dataset.field}.${text}`, text)]);
  }
  return pairs;
}
