// "Review changes": each detail a patient asked to change, on file (read now) beside asked
// for; the ticked ones are applied by the server, by the rules of editing the patient.
import * as api from "../../common/js/api.js";
import { $, show, announce, element, when, typeLabel } from "../../common/js/ui.js";
import { say, showFailure, clearErrors } from "../../common/js/forms.js";
import { fieldLabel, patientPath, valueWord } from "./staff-ui.js";

let current = null;
let opener = null;
let done = async () => {};
let stale = () => {};

function changeRow(change, patient) {
  const kept = change.can_apply !== false;
  const value = kept ? String((patient ? patient[change.field] : change.on_file) || "") : "";
  const row = element("tr");
  row.dataset.field = change.field;
  const pick = element("td");
  if (kept && value !== change.requested) {
    const box = element("input");
    Object.assign(box, { type: "checkbox", name: change.field, checked: true });
    box.setAttribute("aria-label", `Apply the new ${fieldLabel(change.field).toLowerCase()}`);
    pick.append(box);
  } else if (kept) pick.textContent = valueWord("on_file.same");
  const onFile = element("td", value ? "on-file" : "on-file none");
  onFile.textContent = value || valueWord(kept ? "on_file.none" : "on_file.not_kept");
  const label = element("th", "", fieldLabel(change.field));
  label.scope = "row";
  row.append(pick, label, onFile, element("td", "requested", change.requested));
  return row;
}

const chosen = () => [...$("#changes-rows").querySelectorAll("input:checked")].map((box) => box.name);

function guard() {
  show($("#changes-email"), chosen().includes("email"));
}

/** The review of the helper's answer `helper` for the queue item `item`. */
export async function open(item, helper, from) {
  current = item;
  opener = from;
  const form = $("#changes-form");
  form.reset();
  clearErrors(form, $("#changes-error"));
  $("#changes-title").textContent = `Review the requested changes for ${item.patient_name}`;
  const note = helper.result.note ? ` ${fieldLabel("note")}: ${helper.result.note}` : "";
  $("#changes-about").textContent = `${typeLabel(item.type)}, received ${when(item.created_at)}: ${item.summary}.${note}`;
  const changes = helper.result.changes || [];
  const patient = await api.get(patientPath(item.patient_id)).catch(() => null);
  if (current !== item) return;
  current = { ...item, patientVersion: patient && patient.version };
  $("#changes-rows").replaceChildren(...changes.map((change) => changeRow(change, patient)));
  show($("#changes-not-kept"), changes.some((change) => change.can_apply === false));
  guard();
  $("#changes-dialog").showModal();
  ($("#changes-rows input") || $("#changes-complete")).focus();
}

async function apply(event) {
  event.preventDefault();
  const form = $("#changes-form");
  const out = $("#changes-error");
  clearErrors(form, out);
  const fields = chosen();
  if (!fields.length) return say(out, "Tick at least one change to apply.", "error");
  const body = { fields, mark_completed: $("#changes-complete").checked, expected_version: current.version };
  if (current.patientVersion) body.patient_version = current.patientVersion;
  if (fields.includes("email")) {
    body.confirm_email_change = $("#changes-confirm").checked;
    body.reason = $("#changes-reason").value.trim();
  }
  try {
    const answer = await api.post(`/api/staff/queue/${encodeURIComponent(current.request_id)}/changes`, body);
    $("#changes-dialog").close();
    const applied = answer.applied.map((field) => fieldLabel(field).toLowerCase()).join(", ");
    const where = answer.item.state === "open" ? "stays open" : "is in the archive";
    announce(`Changes applied to ${current.patient_name}'s record: ${applied}. The request ${where}.`);
    await done();
  } catch (failure) {
    showFailure(form, failure, out);
    if (failure.status === 409 && failure.current) stale(current.request_id, failure);
  }
}

export function init({ onApplied, onStale }) {
  done = onApplied;
  stale = onStale;
  $("#changes-form").addEventListener("submit", apply);
  $("#changes-rows").addEventListener("change", guard);
  $("#changes-cancel").addEventListener("click", () => $("#changes-dialog").close());
  $("#changes-dialog").addEventListener("close", () => opener && opener.isConnected && opener.focus());
}
