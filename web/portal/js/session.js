// Sign-in, sign-out and the sign-out after 15 minutes without activity.
import * as api from "../../common/js/api.js";
import { $, show, announce } from "../../common/js/ui.js";
import * as idle from "../../common/js/idle.js";
import * as signIn from "../../common/js/sign-in.js";

let changed = () => {};

/** The practice's number in the safety notice of every form that writes to the practice. */
function practicePhone(phone) {
  for (const link of document.querySelectorAll(".practice-phone")) {
    link.textContent = phone;
    link.href = `tel:${phone.replace(/[^\d+]/g, "")}`;
  }
  for (const part of document.querySelectorAll(".practice-call")) show(part, Boolean(phone));
}

async function begin() {
  idle.watch(() => signOut("You were signed out after 15 minutes without activity."));
  show($("#signed-out-note"), false);
  try {
    const me = await api.get("/api/portal/me");
    $("#signed-in-as").textContent = `Signed in as ${me.first_name} ${me.last_name}`;
    $("#brand").textContent = me.practice_name;
    practicePhone(me.practice_phone);
  } catch {
    $("#signed-in-as").textContent = "Signed in";
  }
}

export async function signOut(note = "You are signed out.") {
  idle.stop();
  const ending = api.logout(); // the token is dropped at once; nothing is sent without one
  $("#signed-in-as").textContent = "";
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  for (const form of document.querySelectorAll("form")) form.reset();
  for (const list of document.querySelectorAll(".list")) list.replaceChildren();
  const noteElement = $("#signed-out-note");
  noteElement.textContent = note;
  show(noteElement, Boolean(note));
  changed("sign-in");
  announce(note);
  await ending;
}

async function signedIn(answer) {
  api.setToken(answer.access_token);
  $("#sign-in-form").reset();
  await begin();
  changed("inbox");
}

/** Wires the form; resumes a live session from the refresh cookie when there is one. */
export async function start(onChange) {
  changed = onChange;
  $("#sign-in-form").addEventListener("submit", (event) => signIn.submit(event, "/api/auth/patient/login", signedIn));
  $("#sign-out").addEventListener("click", () => signOut());
  api.onExpired(() => signOut("Your session ended. Sign in again."));
  if (await api.refresh()) await begin();
}
