// The patient list: search, status filter, pages, the status rectangles and the email links.
import * as api from "../../common/js/api.js";
import { $, element, show, announce, day } from "../../common/js/ui.js";
import { say } from "../../common/js/forms.js";
import { patientPath } from "../js/staff-ui.js";

const LABELS = { inactive: "Inactive", unactivated: "Not activated", active: "Active" };
const MISSING = { unverified: "self-registered, unconfirmed", access_off: "access off", no_email: "no email", no_zip: "no zip code" };
/** Why a patient is inactive, in a few words (the API's reasons). */
const why = (patient) =>
  patient.portal_status.reasons.map((found) => MISSING[found.reason]).filter(Boolean).join(", ");
export const selected = new Set();
export let filter = { q: "", status: "" };
let cursor = null;
let latest = 0;
let onSelect = () => {};

export function init(selectionChanged) {
  onSelect = selectionChanged;
  $("#filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    filter = { q: $("#q").value.trim(), status: $("#status").value };
    load(false);
  });
  $("#more").addEventListener("click", () => load(true));
}

export function stop() {
  latest += 1; // an answer still on its way is dropped
  selected.clear();
  $("#rows").replaceChildren();
}

export async function counts() {
  try {
    const numbers = await api.get("/api/staff/onboarding/counts");
    for (const out of document.querySelectorAll("[data-count]")) {
      const [group, key] = out.dataset.count.split(".");
      out.textContent = numbers[group][key];
    }
  } catch (failure) {
    announce(`The counts did not load: ${failure.message}`, "error");
  }
}

export const reload = () => Promise.all([load(false), counts()]);

async function load(more) {
  const note = $("#list-note");
  const mine = ++latest;
  try {
    const page = await api.get(api.query("/api/staff/onboarding", { ...filter, limit: 25, cursor: more ? cursor : "" }));
    if (mine !== latest) return; // a newer search answers
    if (!more) $("#rows").replaceChildren();
    $("#rows").append(...page.items.map(row));
    cursor = page.next_cursor;
    show($("#more"), Boolean(cursor));
    note.textContent = $("#rows").children.length ? "" : "No patient matches.";
    onSelect();
  } catch (failure) {
    note.textContent = `The list did not load: ${failure.message}`;
    announce(note.textContent, "error");
  }
}

function ask(dialog) {
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

/** The staff page's patient panel, where missing details are added. */
const panelAddress = (id) => `/staff/#patient=${encodeURIComponent(id)}`;

// What turning access on still needs, from the patient's own status reasons (the API's rule).
const NEEDS = { no_email: "an email address", no_zip: "a home zip code" };

/** Says at once what a patient lacks before access can be turned on, with the way to add it;
 * true when something is missing (nothing is asked then). */
function missing(patient, name, note) {
  const lacks = patient.portal_status.reasons.map((found) => NEEDS[found.reason]).filter(Boolean);
  if (!lacks.length) return false;
  say(note, `Access not turned on: ${name} needs ${lacks.join(" and ")} on file first. `, "error");
  const fix = element("a", "", `Add ${lacks.length > 1 ? "them" : "it"} on ${name}'s record`);
  fix.href = panelAddress(patient.patient_id);
  note.append(fix);
  fix.focus();
  return true;
}

/** Whether staff confirm a send refused because the last one went minutes ago (the API's
 * 409 on `confirm_resend`, its message in the resend dialog); any other failure is thrown. */
export async function resendConfirmed(failure) {
  if (failure.field !== "confirm_resend") throw failure;
  $("#resend-text").textContent = failure.message;
  return ask($("#resend-dialog"));
}

/** The invitation (a reset for a patient with a username), confirmed if the API asks. */
async function invite(id) {
  try {
    return await api.post(patientPath(id, "/invitation"));
  } catch (failure) {
    if (!(await resendConfirmed(failure))) return null;
    return api.post(patientPath(id, "/invitation?confirm_resend=true"));
  }
}

function cell(...children) {
  const td = element("td");
  td.append(...children);
  return td;
}

// Invitations a finished job sent, by patient, with the job's start: a list read just after
// the job may still answer from before it (an index catching up), and the row keeps the job's
// result until the list has caught up.
const sentByJob = new Map();
const refusedByJob = new Map(); // patient id -> why the job sent them nothing

function invitationText(patient) {
  const { invitation } = patient;
  const job = sentByJob.get(patient.patient_id);
  if (job && (!invitation || Date.parse(invitation.sent_at) < job)) return "Sent just now";
  return invitation ? `${invitation.state[0].toUpperCase()}${invitation.state.slice(1)} ${day(invitation.sent_at)}` : "None";
}

/** An invitation job's result, shown on the rows it covered (`ids`, or every row shown for a
 * filter) as soon as it ends: sent, or not sent and why. */
export function invited(job, ids = null) {
  const failed = new Map(job.failures.map((failure) => [failure.patient_id, failure.reason]));
  for (const tr of $("#rows").children) {
    const id = tr.dataset.id;
    if (ids && !ids.includes(id)) continue;
    if (failed.has(id)) {
      refusedByJob.set(id, failed.get(id));
      say($(".row-note", tr), `No invitation sent: ${failed.get(id)}`, "error");
      continue;
    }
    refusedByJob.delete(id);
    sentByJob.set(id, Date.parse(job.created_at));
    tr.lastElementChild.textContent = "Sent just now";
  }
}

function row(patient) {
  const id = patient.patient_id;
  const name = `${patient.first_name} ${patient.last_name}`;
  const tr = element("tr");
  tr.dataset.id = id;
  const pick = element("input", "pick");
  pick.type = "checkbox";
  pick.checked = selected.has(id);
  pick.setAttribute("aria-label", `Select ${name}`);
  pick.addEventListener("change", () => {
    if (pick.checked) selected.add(id);
    else selected.delete(id);
    onSelect();
  });
  const note = element("p", "row-note");
  if (refusedByJob.has(id)) {
    note.className = "row-note error"; // said already when the job ended: shown, not spoken again
    note.textContent = `No invitation sent: ${refusedByJob.get(id)}`;
  }
  const invitation = cell(invitationText(patient));
  const status = cell(rectangle(patient, name, note, pick), element("span", "why", why(patient)));
  let email = element("span", "note", "No email on file");
  if (patient.email) {
    email = element("button", "link", patient.email);
    email.type = "button";
    email.setAttribute("aria-label", `${patient.email}: send ${name} an invitation email`);
    email.addEventListener("click", async () => {
      try {
        const sent = await invite(id);
        if (!sent) return say(note, "No email sent: not confirmed.", "error");
        invitation.textContent = "Sent just now";
        const what = sent.email === "reset" ? "Password-reset email" : "Invitation email";
        say(note, `${what} sent to ${sent.sent_to}.`);
        counts();
      } catch (failure) {
        say(note, `No email sent: ${failure.message}`, "error");
      }
    });
  }
  const bounced = patient.portal_status.email_undeliverable ? element("span", "row-note", " (bounced)") : "";
  const link = element("a", "", name);
  link.href = panelAddress(id);
  tr.append(cell(pick), cell(link, note), status, cell(email, bounced), invitation);
  return tr;
}

function rectangle(patient, name, note, pick) {
  const { status } = patient.portal_status;
  if (status !== "inactive") return element("span", `rect st-${status}`, LABELS[status]);
  const button = element("button", "rect st-inactive", LABELS[status]);
  button.type = "button";
  button.setAttribute("aria-label", `${LABELS[status]}: turn on portal access for ${name}`);
  button.addEventListener("click", async () => {
    if (missing(patient, name, note)) return;
    $("#privacy-name").textContent = name;
    $("#privacy-email").textContent = patient.email || "none on file";
    if (!(await ask($("#privacy-dialog")))) return button.focus();
    try {
      const body = { enabled: true, identity_confirmed: true };
      patient.portal_status = (await api.put(patientPath(patient.patient_id, "/portal-access"), body)).portal_status;
      button.nextElementSibling.textContent = why(patient);
      button.replaceWith(rectangle(patient, name, note, pick));
      say(note, `Portal access is on for ${name}.`);
      pick.focus();
      counts();
    } catch (failure) {
      say(note, `Access not turned on. ${failure.message}`, "error");
      button.focus();
    }
  });
  return button;
}
