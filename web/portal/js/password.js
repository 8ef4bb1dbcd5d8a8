// Changing the password while signed in. Every session ends with it, this one too.
import * as api from "../../common/js/api.js";
import { $ } from "../../common/js/ui.js";
import { busy, checkRequired, samePasswords, showFailure, values } from "../../common/js/forms.js";
import { watch } from "./strength.js";

let changed = () => {};

async function submit(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form) || !samePasswords(form, "new_password", "again")) return;
  const { current_password, new_password } = values(form);
  try {
    await busy(form, () => api.post("/api/portal/password", { current_password, new_password }));
  } catch (failure) {
    showFailure(form, failure);
    return;
  }
  changed();
}

export function init({ onChanged }) {
  changed = onChanged;
  $("#password-form").addEventListener("submit", submit);
  watch($("#new-password"), $("#change-meter"), $("#change-strength"));
}
