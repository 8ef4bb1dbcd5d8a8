// Form helpers for the staff pages and the portal: values, required fields, and a refusal
// shown on the input it names. The message goes in one of two places:
// - the portal's forms: a note made right under the input (and the form's `.form-error`
//   line for a refusal that names no input);
// - a staff dialog: the form's one message line `out`, which names the input by its label
//   and also holds the dialog's notes ("Changes saved."), each in its tone (`say`).
// Either way the input is marked aria-invalid and described by the message.
import { LIVE_ROLES } from "./ui.js";

const FRIENDLY = [
  [/at least 1 (character|item)|field required/i, "Fill in this field."],
  [/pattern|valid/i, "This does not look right; check it."],
];

/** The server's message in plain words, without the "field: " prefix validation adds. */
function wording(message) {
  const text = message.replace(/^[\w.]+: /, "");
  if (text === message) return message;
  const friendly = FRIENDLY.find(([pattern]) => pattern.test(text));
  return friendly ? friendly[1] : text;
}

/** Adds `id` first to the input's aria-describedby (or takes it out). */
function describe(input, id, on) {
  const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((each) => each && each !== id);
  if (on) ids.unshift(id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
}

/** Writes `text` in the message line `out` in its tone ("success", "warning" or "error"):
 * its own colour and mark, spoken politely or, for an error, at once. */
export function say(out, text, tone = "success") {
  out.setAttribute("role", LIVE_ROLES[tone] || "status");
  out.classList.remove("error", "note", "msg", "tone-success", "tone-warning", "tone-error");
  out.classList.add(...(tone === "error" ? ["error"] : ["msg", `tone-${tone}`]));
  out.textContent = text;
}

/** Takes back every mark fieldError made and empties the form's message line. */
export function clearErrors(form, out = null) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    if (input.dataset.errorNote) describe(input, input.dataset.errorNote, false);
    delete input.dataset.errorNote;
  }
  if (out) {
    out.textContent = "";
    out.className = "note";
  } else {
    form.querySelector(".form-error").textContent = "";
  }
}

/** Marks the input named `name` (the first one when several share it) as refused, with
 * `text` in `out` when given, else in a note under the input. Returns the input. */
export function fieldError(form, name, text, out = null) {
  const input = form.querySelector(`[name="${name}"]`);
  let note = out;
  if (!note) {
    note = document.createElement("p");
    note.id = `${input.id}-error`;
    note.className = "error field-error";
    input.after(note);
  }
  note.textContent = text;
  input.setAttribute("aria-invalid", "true");
  // An id the markup already gave (a message line the input names) stays when cleared.
  if (!(input.getAttribute("aria-describedby") || "").split(" ").includes(note.id)) input.dataset.errorNote = note.id;
  describe(input, note.id, true);
  return input;
}

/** Marks every empty required input; true when all are filled. */
export function checkRequired(form) {
  clearErrors(form);
  const empty = [...form.querySelectorAll("[required]")].filter((input) => !input.value.trim());
  for (const input of empty) fieldError(form, input.name, "Fill in this field.");
  if (empty.length) empty[0].focus();
  return empty.length === 0;
}

/** A refused call (or `{message, field}`), shown on the input it names, which gets the
 * focus; with `out`, in that message line (see above). */
export function showFailure(form, failure, out = null) {
  const parts = (failure.field || "").split(".").reverse();
  const name = parts.find((part) => form.querySelector(`[name="${part}"]`));
  if (out) {
    clearErrors(form, out);
    say(out, "", "error");
    const input = name && form.querySelector(`[name="${name}"]`);
    const label = input && input.labels && input.labels[0];
    if (!label) {
      out.textContent = failure.message;
      return;
    }
    // The API says `first_name: ...`; the page says the label.
    const text = failure.message.replace(`${failure.field}:`, `${label.textContent}:`);
    fieldError(form, name, text, out).focus();
    return;
  }
  const text = failure.status === 422 ? wording(failure.message) : failure.message;
  if (name) fieldError(form, name, text).focus();
  else form.querySelector(".form-error").textContent = text || "Something went wrong. Try again.";
}

/** The form's non-empty values, trimmed (passwords as typed). */
export function values(form) {
  const found = {};
  for (const input of form.elements) {
    if (!input.name) continue;
    const value = input.type === "password" ? input.value : input.value.trim();
    if (value) found[input.name] = value;
  }
  return found;
}

/** Runs `work` with the submit button disabled, so a double click sends once. */
export async function busy(form, work) {
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

/** The "again" field must match; shows the error when not. */
export function samePasswords(form, first, again) {
  if (form.elements[first].value === form.elements[again].value) return true;
  fieldError(form, again, "The two passwords are not the same.").focus();
  return false;
}
