// The registration form for new patients: their details, a username and a password. The
// answer is always "check your email"; the emailed link turns portal access on.
import * as api from "../../staff/js/api.js";
import { $, show } from "../../staff/js/ui.js";
import { busy, checkRequired, samePasswords, showFailure, values } from "./forms.js";
import { watch } from "./strength.js";

async function submit(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form) || !samePasswords(form, "password", "again")) return;
  const { again, ...details } = values(form);
  try {
    await busy(form, () => api.postPublic("/api/auth/register", details));
  } catch (failure) {
    if (failure.status !== 429) {
      showFailure(form, failure);
      return;
    }
  }
  form.reset();
  show(form, false);
  show(form.nextElementSibling, true);
  form.nextElementSibling.querySelector(".answer-text").focus();
}

export function init() {
  const form = $("#register-form");
  form.addEventListener("submit", submit);
  const avoid = () => ["first_name", "last_name", "username", "email"].map((name) => form.elements[name].value.trim());
  watch($("#register-password"), $("#register-meter"), $("#register-strength"), avoid);
}
