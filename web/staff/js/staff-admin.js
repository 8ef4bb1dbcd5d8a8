// An admin's reset of a staff member's authenticator app, from the Links menu (the API
// checks the admin group too).
import * as api from "./api.js";
import { $, show, fieldError } from "./ui.js";

const form = () => $("#mfa-reset-form");
const note = () => $("#mfa-reset-note");

export const start = () => show($("#mfa-reset-item"), api.tokenGroups().includes("admin"));

async function reset() {
  if ($("#mfa-reset-ask").returnValue !== "yes") return;
  const username = $("#mfa-reset-who").textContent;
  try {
    await api.post(`/api/staff/staff-members/${encodeURIComponent(username)}/mfa-reset`);
    fieldError(form(), note(), null);
    note().textContent = `Done: ${username} sets up an authenticator app again at their next sign-in.`;
  } catch (failure) {
    fieldError(form(), note(), failure);
  }
}

export function init() {
  $("#mfa-reset-open").addEventListener("click", () => {
    form().reset();
    fieldError(form(), note(), null);
    $("#mfa-reset-dialog").showModal();
  });
  $("#mfa-reset-close").addEventListener("click", () => $("#mfa-reset-dialog").close());
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    fieldError(form(), note(), null);
    const username = $("#mfa-reset-username").value.trim();
    if (!username) {
      fieldError(form(), note(), { message: "Enter the staff member's username.", field: "username" });
      return;
    }
    $("#mfa-reset-who").textContent = username;
    $("#mfa-reset-ask").returnValue = "";
    $("#mfa-reset-ask").showModal();
  });
  $("#mfa-reset-ask").addEventListener("close", reset);
}
