// The sign-in form, as the staff pages and the portal share it (#username, #password,
// #sign-in-error): the fields checked, the login asked, and a refusal said plainly.
import * as api from "./api.js";
import { $ } from "./ui.js";

/** Asks `path` with the form's username and password and hands the answer to `signedIn`. */
export async function submit(event, path, signedIn) {
  event.preventDefault();
  const error = $("#sign-in-error");
  error.textContent = "";
  const username = $("#username").value.trim();
  const password = $("#password").value;
  if (!username || !password) {
    error.textContent = "Enter your username and password.";
    return;
  }
  try {
    await signedIn(await api.postPublic(path, { username, password }), username, error);
  } catch (failure) {
    error.textContent =
      failure.status === 401
        ? error.dataset.refused || "The username or password is not right." // the page's own words, if it has them
        : `Sign-in failed: ${failure.message}`;
    $("#password").value = "";
    $("#password").focus();
  }
}
