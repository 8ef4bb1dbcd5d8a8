// "Create my portal account" and "I forgot my password": the four details the practice has
// on file, and one answer whatever they match (no one learns who is a patient here).
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";
import { busy, checkRequired, showFailure, values } from "../../common/js/forms.js";

const ANSWER =
  "Thank you. If these details match what the practice has on file, an email with a link is on its way " +
  "to the address on file. It can take a few minutes to arrive.";

async function submit(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form)) return;
  try {
    await busy(form, () => api.postPublic(`/api/auth/${form.id.replace("-form", "")}`, values(form)));
  } catch (failure) {
    if (failure.status !== 429) {
      showFailure(form, failure);
      return;
    }
  }
  const answer = form.nextElementSibling;
  answer.querySelector(".answer-text").textContent = ANSWER;
  show(form, false);
  show(answer, true);
  answer.querySelector(".answer-text").focus();
}

export function init() {
  for (const form of [$("#claim-form"), $("#forgot-form")]) form.addEventListener("submit", submit);
}
