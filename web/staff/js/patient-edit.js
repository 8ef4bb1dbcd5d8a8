// "Edit patient": the Demographics and Patient Portal tabs.
import * as api from "../../common/js/api.js";
import { $, show, announce, when } from "../../common/js/ui.js";
import { patientPath, formValues } from "./staff-ui.js";
import { clearErrors, showFailure, say } from "../../common/js/forms.js";

let patient = null;
let saved = () => {};
let checkTimer = null;
let checking = 0;

const path = (rest) => patientPath(patient.patient_id, rest);
const tabs = () => [...document.querySelectorAll("#edit-dialog [role=tab]")];

function select(tab) {
  for (const each of tabs()) {
    each.setAttribute("aria-selected", String(each === tab));
    each.tabIndex = each === tab ? 0 : -1;
    show($(`#${each.getAttribute("aria-controls")}`), each === tab);
  }
  tab.focus();
}

function onTabKey(event) {
  const all = tabs();
  const at = all.indexOf(event.target);
  const to = { ArrowRight: at + 1, ArrowLeft: at + all.length - 1, Home: 0, End: all.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  select(all[to % all.length]);
}

function fill(record) {
  patient = record;
  saved(record);
  for (const input of $("#demo-form").querySelectorAll("[name]")) input.value = record[input.name];
  $("#access-switch").checked = record.portal_access_enabled;
  $("#c-username").value = record.username;
  $("#cred-form").querySelector("[type=checkbox]").checked = false;
  $("#c-password").value = "";
  show($("#c-password-row"), false);
  $("#username-check").textContent = "";
}

/** An in-page question (a <dialog>): true for "yes". */
function ask(dialog) {
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

async function saveDemographics(event, guard) {
  event.preventDefault();
  const form = $("#demo-form");
  const out = $("#demo-error");
  clearErrors(form, out);
  try {
    fill(await api.patch(path(), { ...formValues(form), expected_version: patient.version, ...guard }));
    say(out, "Changes saved.");
  } catch (failure) {
    if (failure.field !== "confirm_email_change") return showFailure(form, failure, out);
    $("#email-reason").value = "";
    if (await ask($("#email-dialog"))) {
      saveDemographics(event, { confirm_email_change: true, reason: $("#email-reason").value.trim() });
    } else {
      showFailure(form, { message: "Not saved: the email change was not confirmed.", field: "email" }, out);
    }
  }
}

const NEEDED = { no_email: "an email address", no_zip: "a home zip code" };

/** The details turning access on still needs, from the reasons of the server's status. */
function missingForAccess(shown) {
  return shown.portal_status.reasons.map((each) => NEEDED[each.reason]).filter(Boolean);
}

async function toggleAccess() {
  const on = !patient.portal_access_enabled;
  const toggle = $("#access-switch");
  const out = $("#access-error");
  toggle.checked = !on; // until the server agrees
  say(out, "", "error");
  // What the server's status already says is missing is said at once: no privacy question
  // about an address that is not on file.
  const missing = on ? missingForAccess(patient) : [];
  if (missing.length) {
    say(out, `Portal access needs ${missing.join(" and ")}. Add ${missing.length > 1 ? "them" : "it"} on the Demographics tab.`, "error");
    toggle.focus();
    return;
  }
  $("#privacy-email").textContent = patient.email;
  if (!on || (await ask($("#privacy-dialog")))) {
    try {
      fill(await api.put(path("/portal-access"), { enabled: on, identity_confirmed: on }));
      announce(on ? "Portal access is on." : "Portal access is off; the patient is signed out.");
    } catch (failure) {
      const missing = ["email", "zip"].includes(failure.field) ? " Add it on the Demographics tab." : "";
      say(out, failure.message + missing, "error");
    }
  }
  toggle.focus();
}

function checkUsername() {
  window.clearTimeout(checkTimer);
  const mine = ++checking;
  const out = $("#username-check");
  const name = $("#c-username").value.trim();
  out.className = "check";
  out.textContent = "";
  if (!name || name === patient.username) return;
  checkTimer = window.setTimeout(async () => {
    try {
      const result = await api.get(`/api/staff/usernames/${encodeURIComponent(name)}`);
      if (mine !== checking) return;
      const good = result.valid && result.available;
      out.className = `check ${good ? "good" : "bad"}`;
      out.textContent = good ? "✓ Valid and not taken." : `✗ Not usable: ${result.reason}`;
    } catch (failure) {
      if (mine === checking) out.textContent = `Not checked: ${failure.message}`;
    }
  }, 300);
}

async function saveCredentials(event) {
  event.preventDefault();
  const form = $("#cred-form");
  const out = $("#cred-error");
  const body = {};
  const username = $("#c-username").value.trim();
  if (username !== patient.username) body.username = username;
  if (form.querySelector("[type=checkbox]").checked) body.password = $("#c-password").value;
  try {
    fill(await api.put(path("/credentials"), body));
    say(out, "Saved. Tell the patient their username and password in person or by phone.");
  } catch (failure) {
    showFailure(form, failure, out);
  }
}

async function invite() {
  const out = $("#invite-note");
  out.className = "note";
  out.textContent = "Sending…";
  try {
    const sent = await api.post(path("/invitation")).catch(async (failure) => {
      // Minutes after the last one, the API asks for a confirmation first.
      if (failure.field !== "confirm_resend") throw failure;
      $("#resend-text").textContent = failure.message;
      if (!(await ask($("#resend-dialog")))) throw failure;
      return api.post(path("/invitation?confirm_resend=true"));
    });
    say(out, `Invitation/reset email sent to ${sent.sent_to}. Its link works until ${when(sent.expires_at)}.`);
  } catch (failure) {
    say(out, `Not sent: ${failure.message}`, "error");
  }
}

export function open(record) {
  fill(record);
  for (const out of $("#edit-dialog").querySelectorAll("[role=alert], [role=status]")) out.textContent = "";
  $("#edit-title").textContent = `Edit patient: ${record.first_name} ${record.last_name}`;
  $("#edit-dialog").showModal();
  select($("#tab-demo"));
}

export function init(onSaved) {
  saved = onSaved;
  for (const tab of tabs()) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", onTabKey);
  }
  $("#demo-form").addEventListener("submit", (event) => saveDemographics(event, {}));
  $("#access-switch").addEventListener("change", toggleAccess);
  $("#c-username").addEventListener("input", checkUsername);
  $("#cred-form").querySelector("[type=checkbox]").addEventListener("change", (event) => {
    show($("#c-password-row"), event.target.checked);
  });
  $("#cred-form").addEventListener("submit", saveCredentials);
  $("#invite").addEventListener("click", invite);
  $("#edit-close").addEventListener("click", () => $("#edit-dialog").close());
  $("#edit-dialog").addEventListener("close", () => $("#pp-edit").focus());
}
