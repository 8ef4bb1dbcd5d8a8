// The page an emailed link opens (#token=...): set up an account or a new password, or
// confirm an email address and set up the account. The token is read once and taken out of
// the address bar; nothing is used up until the patient presses the button, so a mail
// scanner that opens the link changes nothing.
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";
import { busy, checkRequired, samePasswords, showFailure, values } from "../../common/js/forms.js";
import { watch } from "./strength.js";

const TITLES = {
  invitation: "Set up your portal account",
  reset: "Choose a new password",
  verify_email: "Confirm your email address and set up your account",
};

let token = null;
let info = null;
let checkTimer = null;
let checkNumber = 0;

/** Takes the token from the address (#token=...) and removes it from the address bar. */
export function capture() {
  const found = /^#token=([\w-]+)/.exec(location.hash);
  if (!found) return false;
  token = found[1];
  info = null;
  history.replaceState(null, "", `${location.pathname}#link`);
  return true;
}

function state(status, { gone = false, form = false, done = false } = {}) {
  $("#link-status").textContent = status;
  show($("#link-gone"), gone);
  show($("#link-form"), form);
  show($("#link-done"), done);
}

function failed(failure) {
  if (failure.status === 410 || failure.field === "token") {
    $("#link-title").textContent = "This link has expired";
    token = null;
    state("", { gone: true });
  } else {
    state(failure.message);
  }
}

export async function load() {
  if (info) return; // already open: keep what the patient typed
  if (!token) {
    $("#link-title").textContent = "Open the link from your email";
    state("This page works with the link in the email we sent you. Open that link again.");
    return;
  }
  state("Checking your link…");
  try {
    info = await api.postPublic("/api/auth/link/inspect", { token });
  } catch (failure) {
    failed(failure);
    return;
  }
  $("#link-title").textContent = TITLES[info.purpose === "reset" && info.needs_username ? "invitation" : info.purpose];
  show($("#link-username-part"), info.needs_username);
  $("#link-username").required = info.needs_username;
  state(info.needs_username ? "Choose a username and a password." : "Choose a new password.", { form: true });
  $(info.needs_username ? "#link-username" : "#link-password").focus();
}

function checkUsername() {
  const username = $("#link-username").value.trim();
  const note = $("#link-username-check");
  note.className = "hint";
  window.clearTimeout(checkTimer);
  if (!username) {
    note.textContent = "";
    return;
  }
  note.textContent = "Checking…";
  const number = ++checkNumber;
  checkTimer = window.setTimeout(async () => {
    const answer = await api
      .postPublic("/api/auth/link/username", { token, username })
      .catch((failure) => ({ reason: failure.message }));
    if (number !== checkNumber) return; // an older answer
    const free = answer.valid && answer.available;
    note.className = free ? "hint ok" : "hint error";
    note.textContent = free ? `✓ ${username} is available.` : answer.reason;
  }, 350);
}

async function complete(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form) || !samePasswords(form, "password", "again")) return;
  const { username, password } = values(form);
  const body = info.needs_username ? { token, username, password } : { token, password };
  try {
    const answer = await busy(form, () => api.postPublic("/api/auth/link/complete", body));
    token = null;
    form.reset();
    $("#link-done-text").textContent =
      info.purpose === "verify_email"
        ? `Thank you: your email address is confirmed and your portal account is ready. Your username is ${answer.username}; sign in with it and your new password.`
        : `All set. Your username is ${answer.username}; sign in with it and your new password.`;
    state("", { done: true });
    $("#username").value = answer.username; // ready on the sign-in form
  } catch (failure) {
    if (failure.status === 410) failed(failure);
    else showFailure(form, failure);
  }
}

export function init() {
  $("#link-username").addEventListener("input", checkUsername);
  $("#link-form").addEventListener("submit", complete);
  watch($("#link-password"), $("#link-meter"), $("#link-strength"), () => [$("#link-username").value]);
}
