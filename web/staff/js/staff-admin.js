// An admin's reset of a staff member's authenticator app, from the Links menu (the API
// checks the admin group too).
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";
import { clearErrors, showFailure, say } from "../../common/js/forms.js";

const form = () => $("#mfa-reset-form");
const note = () => $("#mfa-reset-note");

const ADMIN_TOOLS = ["#mfa-reset-item", "#staff-accounts-item"]; // this reset, the staff accounts page
export const start = () => ADMIN_TOOLS.forEach((id) => show($(id), api.tokenGroups().includes("admin")));

async function reset() {
  if ($("#mfa-reset-ask").returnValue !== "yes") return;
  const username = $("#mfa-reset-who").textContent;
  try {
    await api.post(`/api/staff/staff-members/${encodeURIComponent(username)}/mfa-reset`);
    clearErrors(form(), note());
    say(note(), `Done: ${username} sets up an authenticator app again at their next sign-in.`);
  } catch (failure) {
    showFailure(form(), failure, note());
  }
}

export function init() {
  $("#mfa-reset-open").addEventListener("click", () => {
    form().reset();
    clearErrors(form(), note());
    $("#mfa-reset-dialog").showModal();
  });
  $("#mfa-reset-close").addEventListener("click", () => $("#mfa-reset-dialog").close());
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form(), note());
    const username = $("#mfa-reset-username").value.trim();
    if (!username) {
      showFailure(form(), { message: "Enter the staff member's username.", field: "username" }, note());
      return;
    }
    $("#mfa-reset-who").textContent = username;
    $("#mfa-reset-ask").returnValue = "";
    $("#mfa-reset-ask").showModal();
  });
  $("#mfa-reset-ask").addEventListener("close", reset);
}
