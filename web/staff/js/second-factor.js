// The staff sign-in's second step: enrolling an authenticator app (a first sign-in, or after
// an admin's reset), then the app's code at every sign-in. The server draws the QR code.
import * as api from "../../common/js/api.js";
import { $ } from "../../common/js/ui.js";

let step = null; // { username, session } of the challenge being answered
let hooks = {};

/** `view(name)` shows a view, `next(answer, username, error)` takes the API's answer,
 * `restart(note)` goes back to the password form. */
export function init(given) {
  hooks = given;
  $("#mfa-setup-form").addEventListener("submit", (event) => send(event, "/api/auth/staff/mfa/enrol/confirm"));
  $("#mfa-code-form").addEventListener("submit", (event) => send(event, "/api/auth/staff/mfa/code"));
}

/** MFA_SETUP: the app's key as a QR code (an <img> of the server's SVG, which runs nothing)
 * and as text in groups of four, then its first code. */
export async function enrol(username, session, error) {
  let enrolment;
  try {
    enrolment = await api.postPublic("/api/auth/staff/mfa/enrol", { username, session });
  } catch (failure) {
    error.textContent = failure.message;
    return;
  }
  step = { username, session: enrolment.session };
  $("#mfa-qr").src = `data:image/svg+xml;base64,${btoa(enrolment.qr_svg)}`;
  $("#mfa-secret").textContent = enrolment.secret.match(/.{1,4}/g).join(" ");
  hooks.view("mfa-setup");
  $("#mfa-setup-code").focus();
}

/** SOFTWARE_TOKEN_MFA: the app's current code. */
export function ask(username, session) {
  step = { username, session };
  hooks.view("mfa-code");
  $("#mfa-code").focus();
}

/** A wrong code is said next to the field, which keeps the focus for another try. */
async function send(event, path) {
  event.preventDefault();
  const form = event.target;
  const input = form.elements.code;
  const error = $(".error", form);
  const refuse = (message) => {
    error.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.select();
    input.focus();
  };
  input.removeAttribute("aria-invalid");
  error.textContent = "";
  if (!input.value.trim()) {
    refuse("Enter the 6-digit code from your authenticator app.");
    return;
  }
  try {
    const answer = await api.postPublic(path, { ...step, code: input.value });
    const { username } = step;
    step = null;
    form.reset();
    hooks.next(answer, username, error);
  } catch (failure) {
    if (failure.status === 401) {
      step = null;
      form.reset();
      hooks.restart(failure.message);
    } else refuse(failure.message);
  }
}
