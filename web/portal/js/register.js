// The registration form for new patients: their details only. The answer is always "check
// your email"; on the emailed link's page they choose a username and a password, and
// portal access turns on.
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";
import { busy, checkRequired, showFailure, values } from "../../common/js/forms.js";

async function submit(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form)) return;
  const details = values(form);
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
  $("#register-form").addEventListener("submit", submit);
}
