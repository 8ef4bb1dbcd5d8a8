// Form helpers: values, required fields, and errors shown next to the field they name.

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

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const rest = input.getAttribute("aria-describedby").replace(`${input.id}-error`, "").trim();
    if (rest) input.setAttribute("aria-describedby", rest);
    else input.removeAttribute("aria-describedby");
  }
  form.querySelector(".form-error").textContent = "";
}

/** Shows `text` under the input named `name` (the first one when several share it). */
export function fieldError(form, name, text) {
  const input = form.querySelector(`[name="${name}"]`);
  const note = document.createElement("p");
  note.id = `${input.id}-error`;
  note.className = "error field-error";
  note.textContent = text;
  input.after(note);
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== note.id);
  input.setAttribute("aria-describedby", [note.id, ...described].join(" "));
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

/** A refused call, shown next to the field it names (or above the button). */
export function showFailure(form, failure) {
  const parts = (failure.field || "").split(".").reverse();
  const name = parts.find((part) => form.querySelector(`[name="${part}"]`));
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

/** A view whose form was answered shows its form again when it is opened again. */
export function reopen(view) {
  const form = view.querySelector("form");
  form.hidden = false;
  view.querySelector(".answer").hidden = true;
}
