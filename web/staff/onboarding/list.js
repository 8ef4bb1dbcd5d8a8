// The patient list: search, status filter, pages, the status rectangles and the email links.
import * as api from "../../shared/js/api.js";
import { $, element, show, announce, day } from "../../shared/js/ui.js";
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
    announce(`The counts did not load: ${failure.message}`);
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
  }
}

function ask(dialog) {
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

function say(note, text, ok = false) {
  note.textContent = text;
  note.className = ok ? "row-note ok" : "row-note";
  announce(text);
}

function cell(...children) {
  const td = element("td");
  td.append(...children);
  return td;
}

const invitationText = (invitation) =>
  invitation ? `${invitation.state[0].toUpperCase()}${invitation.state.slice(1)} ${day(invitation.sent_at)}` : "None";

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
  const invitation = cell(invitationText(patient.invitation));
  const status = cell(rectangle(patient, name, note, pick), element("span", "why", why(patient)));
  let email = element("span", "note", "No email on file");
  if (patient.email) {
    email = element("button", "link", patient.email);
    email.type = "button";
    email.setAttribute("aria-label", `${patient.email}: send ${name} an invitation email`);
    email.addEventListener("click", async () => {
      try {
        const sent = await api.post(patientPath(id, "/invitation"));
        invitation.textContent = "Sent just now";
        say(note, `Invitation email sent to ${sent.sent_to}.`, true);
        counts();
      } catch (failure) {
        say(note, `No email sent: ${failure.message}`);
      }
    });
  }
  const bounced = patient.portal_status.email_undeliverable ? element("span", "row-note", " (bounced)") : "";
  tr.append(cell(pick), cell(element("span", "", name), note), status, cell(email, bounced), invitation);
  return tr;
}

function rectangle(patient, name, note, pick) {
  const { status } = patient.portal_status;
  if (status !== "inactive") return element("span", `rect st-${status}`, LABELS[status]);
  const button = element("button", "rect st-inactive", LABELS[status]);
  button.type = "button";
  button.setAttribute("aria-label", `${LABELS[status]}: turn on portal access for ${name}`);
  button.addEventListener("click", async () => {
    $("#privacy-name").textContent = name;
    $("#privacy-email").textContent = patient.email || "none on file";
    if (!(await ask($("#privacy-dialog")))) return button.focus();
    try {
      const body = { enabled: true, identity_confirmed: true };
      patient.portal_status = (await api.put(patientPath(patient.patient_id, "/portal-access"), body)).portal_status;
      button.nextElementSibling.textContent = why(patient);
      button.replaceWith(rectangle(patient, name, note, pick));
      say(note, `Portal access is on for ${name}.`, true);
      pick.focus();
      counts();
    } catch (failure) {
      say(note, `Access not turned on. ${failure.message}`);
      button.focus();
    }
  });
  return button;
}
