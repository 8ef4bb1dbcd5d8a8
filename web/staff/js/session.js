// Sign-in (with the new-password step of a first sign-in and the authenticator app's code),
// sign-out and the 15-minute inactivity sign-out.
import "./sign-in-views.js"; // first: the views this module and its imports look for
import * as api from "../../common/js/api.js";
import { $, show, announce } from "../../common/js/ui.js";
import * as idle from "../../common/js/idle.js";
import * as signIn from "../../common/js/sign-in.js";
import * as secondFactor from "./second-factor.js";

let challenge = null;
let started = () => {};
let stopped = () => {};

function view(name) {
  show($("#sign-in-view"), name === "sign-in");
  show($("#new-password-view"), name === "new-password");
  show($("#mfa-setup-view"), name === "mfa-setup");
  show($("#mfa-code-view"), name === "mfa-code");
  show($("#app-view"), name === "app");
  show($("#whoami"), name === "app");
}

function begin(token, username) {
  if (token) api.setToken(token);
  const name = username || api.tokenUsername();
  $("#signed-in-as").textContent = name ? `Signed in as ${name}` : "Signed in";
  $("#sign-in-form").reset();
  $("#new-password-form").reset();
  view("app");
  idle.watch(() => signOut("You were signed out after 15 minutes without activity."));
  started();
}

function showSignIn(note) {
  const noteElement = $("#signed-out-note");
  noteElement.textContent = note || "";
  show(noteElement, Boolean(note));
  view("sign-in");
  $("#username").focus();
}

export async function signOut(note = "You are signed out.") {
  idle.stop();
  stopped();
  await api.logout();
  $("#signed-in-as").textContent = "";
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  showSignIn(note);
  announce(note);
}

/** Every answer of a staff sign-in step: the next step, or signed in. */
function signedIn(answer, username, error) {
  if (answer.challenge === "NEW_PASSWORD_REQUIRED") {
    challenge = { username, session: answer.session };
    view("new-password");
    $("#new-password").focus();
  } else if (answer.challenge === "MFA_SETUP" || answer.challenge === "SOFTWARE_TOKEN_MFA") {
    $("#sign-in-form").reset(); // the password is not kept on the page meanwhile
    if (answer.challenge === "MFA_SETUP") secondFactor.enrol(username, answer.session, error);
    else secondFactor.ask(username, answer.session);
  } else if (answer.challenge) {
    error.textContent = "This account needs a sign-in step this page does not offer yet. Ask your administrator.";
  } else {
    begin(answer.access_token, username);
  }
}

async function submitNewPassword(event) {
  event.preventDefault();
  const error = $("#new-password-error");
  error.textContent = "";
  const first = $("#new-password").value;
  if (!first) {
    error.textContent = "Enter a new password.";
    return;
  }
  if (first !== $("#new-password-again").value) {
    error.textContent = "The two passwords are not the same.";
    return;
  }
  try {
    const answer = await api.postPublic("/api/auth/staff/challenge", { ...challenge, new_password: first });
    const username = challenge.username;
    challenge = null;
    signedIn(answer, username, error);
  } catch (failure) {
    if (failure.status === 401) {
      challenge = null;
      showSignIn("That step took too long. Sign in again with your temporary password.");
      return;
    }
    error.textContent = failure.message;
    $("#new-password").focus();
  }
}

async function loadPasswordRules() {
  try {
    const practice = await (await fetch("/api/public/practice")).json();
    if (practice.password_rules) $("#password-rules").textContent = practice.password_rules;
    if (practice.name) $(".brand").textContent = `${practice.name}: Patient Portal Queue`;
  } catch {
    // The built-in hint stays.
  }
}

/** Wires the forms; resumes a live session from the refresh cookie when there is one. */
export async function start({ onStart, onStop }) {
  started = onStart;
  stopped = onStop;
  $("#sign-in-form").addEventListener("submit", (event) => signIn.submit(event, "/api/auth/staff/login", signedIn));
  $("#new-password-form").addEventListener("submit", submitNewPassword);
  secondFactor.init({ view, next: signedIn, restart: showSignIn });
  $("#sign-out").addEventListener("click", () => signOut());
  api.onExpired(() => signOut("Your session ended. Sign in again."));
  loadPasswordRules();
  if (await api.refresh()) begin(null, "");
  else showSignIn();
}
