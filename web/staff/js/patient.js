// Finding and adding patients; the patient panel with its portal status and tooltip.
import * as api from "../../common/js/api.js";
import * as edit from "./patient-edit.js";
import { $, show, announce, element, when } from "../../common/js/ui.js";
import { badge, patientPath, formValues } from "./staff-ui.js";
import { clearErrors, showFailure } from "../../common/js/forms.js";

let shown = null;
let opener = null;
let latest = 0;
let findTimer = null;

function render(patient) {
  shown = patient;
  const { status, reasons, email_undeliverable: bounced } = patient.portal_status;
  const panel = $("#patient-panel");
  $("#pp-name").textContent = `${patient.first_name} ${patient.last_name}`;
  $("#pp-status").replaceChildren(badge(status));
  for (const node of panel.querySelectorAll("[data-status]")) show(node, node.dataset.status === status);
  for (const node of panel.querySelectorAll("[data-reason]")) {
    const found = reasons.find((r) => r.reason === node.dataset.reason);
    show(node, Boolean(found));
    node.lastElementChild.textContent = found ? found.fix : "";
  }
  for (const node of panel.querySelectorAll(".pp-bounced")) show(node, bounced);
  for (const node of panel.querySelectorAll("[data-field]")) {
    const value = patient[node.dataset.field];
    node.textContent = value ? (node.dataset.field.endsWith("_at") ? when(value) : value) : node.dataset.none;
  }
  show(panel);
}

export async function open(patientId, from) {
  opener = from;
  try {
    const mine = api.session();
    const patient = await api.get(patientPath(patientId));
    if (mine !== api.session()) return; // signed out meanwhile: show nothing
    render(patient);
    $("#pp-name").focus();
  } catch (failure) {
    announce(`The patient could not be opened: ${failure.message}`, "error");
  }
}

function found(patient) {
  const name = element("button", "link who-link", `${patient.last_name}, ${patient.first_name}`);
  name.type = "button";
  name.addEventListener("click", () => open(patient.patient_id, name));
  const entry = element("li");
  entry.dataset.id = patient.patient_id;
  entry.append(name, element("span", "", patient.date_of_birth), badge(patient.portal_status.status));
  return entry;
}

/** A change saved in the edit dialog shows in the search results too. */
function changed(patient) {
  render(patient);
  for (const entry of $("#find-list").children) {
    if (entry.dataset.id === patient.patient_id) entry.lastElementChild.replaceWith(badge(patient.portal_status.status));
  }
}

/** One search at a time: Enter cancels the one typing scheduled, and the rows shown stay (inert)
 * until the answer replaces them, so the list (and the panel under it) never jumps meanwhile. */
async function find() {
  window.clearTimeout(findTimer);
  const q = $("#find-q").value.trim();
  const note = $("#find-note");
  const mine = ++latest;
  if (!q) {
    $("#find-list").replaceChildren();
    note.textContent = "";
    return;
  }
  // The rows shown stay in place but cannot be opened until the new answer replaces them:
  // a quick click must not open the previous search's patient.
  $("#find-list").inert = true;
  $("#find-list").setAttribute("aria-busy", "true");
  try {
    const page = await api.get(api.query("/api/staff/patients", { q, limit: 20 }));
    if (mine !== latest) return;
    $("#find-list").replaceChildren(...page.items.map(found));
    const n = page.items.length;
    note.textContent = `${n || "No"}${page.next_cursor ? " or more" : ""} patient${n === 1 ? "" : "s"} found for “${q}”.`;
  } catch (failure) {
    if (mine !== latest) return;
    $("#find-list").replaceChildren();
    note.textContent = `The search did not work: ${failure.message}`;
  } finally {
    if (mine === latest) {
      $("#find-list").inert = false;
      $("#find-list").removeAttribute("aria-busy");
    }
  }
}

async function add(event) {
  event.preventDefault();
  const form = $("#add-form");
  clearErrors(form, $("#add-error"));
  try {
    const patient = await api.post("/api/staff/patients", formValues(form));
    $("#add-dialog").close();
    opener = $("#add-open");
    render(patient);
    $("#pp-name").focus();
    announce(`Patient added. ${badge(patient.portal_status.status).textContent}.`);
  } catch (failure) {
    showFailure(form, failure, $("#add-error"));
  }
}

/** The patient an address names (/staff/#patient=<id>, as the onboarding list links to it),
 * opened once signed in and whenever the address changes. */
export function fromAddress() {
  const id = new URLSearchParams(location.hash.slice(1)).get("patient");
  if (id && api.signedIn()) open(id, null);
}

export function init() {
  window.addEventListener("hashchange", fromAddress);
  $("#find-form").addEventListener("submit", (event) => {
    event.preventDefault();
    find();
  });
  $("#find-q").addEventListener("input", () => {
    window.clearTimeout(findTimer);
    findTimer = window.setTimeout(find, 350);
  });
  $("#pp-close").addEventListener("click", () => {
    stop(false);
    if (location.hash.startsWith("#patient=")) history.replaceState(null, "", location.pathname + location.search);
    (opener && opener.isConnected && !opener.closest("[hidden]") ? opener : $("#find-q")).focus();
  });
  $("#pp-edit").addEventListener("click", () => edit.open(shown));
  // Escape hides the tooltip until the next hover or focus.
  const tip = $("#pp-tip").classList;
  $("#pp-status").addEventListener("keydown", (event) => event.key === "Escape" && tip.add("off"));
  for (const kind of ["focusin", "mouseenter"]) $(".tip-wrap").addEventListener(kind, () => tip.remove("off"));
  $("#add-open").addEventListener("click", () => {
    $("#add-form").reset();
    clearErrors($("#add-form"), $("#add-error"));
    $("#add-dialog").showModal();
  });
  $("#add-form").addEventListener("submit", add);
  $("#add-cancel").addEventListener("click", () => $("#add-dialog").close());
  edit.init(changed);
}

export function stop(all = true) {
  show($("#patient-panel"), false);
  shown = null;
  if (all) $("#find-form").reset();
  if (all) find();
}
