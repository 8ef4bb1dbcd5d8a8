// An admin's import of a patient list: check the file, then import it.
import * as api from "../../common/js/api.js";
import { $, element, show, announce } from "../../common/js/ui.js";
import * as list from "./list.js";
import { follow } from "./job.js";

const file = () => $("#import-file").files[0];

export function init() {
  $("#import-form").addEventListener("submit", check);
  $("#run-import").addEventListener("click", run);
  for (const input of ["#import-file", "#import-access"]) {
    $(input).addEventListener("change", () => ($("#run-import").disabled = true));
  }
}

// For admins only (the API checks it too).
export const start = () => show($("#import-card"), api.tokenGroups().includes("admin"));

const upload = (dryRun) =>
  api.upload(
    api.query("/api/staff/patients/import", { dry_run: dryRun, enable_access: $("#import-access").checked }),
    file(),
    "text/csv",
  );

function result(row) {
  if (row.status === "ok") return row.access_enabled ? "OK, portal access will be turned on" : "OK";
  if (row.status === "duplicate") {
    return row.duplicate_of_row ? `Duplicate of row ${row.duplicate_of_row}` : "Duplicate of a patient on file";
  }
  return `Error: ${row.problems.map((p) => `${p.field.replaceAll("_", " ")} ${p.message}`).join("; ")}`;
}

function reportRow(row) {
  const tr = element("tr");
  for (const text of [row.row, `${row.first_name} ${row.last_name}`]) tr.append(element("td", "", String(text)));
  tr.append(element("td", `r-${row.status}`, result(row)));
  return tr;
}

async function check(event) {
  event.preventDefault();
  const out = $("#import-error");
  out.textContent = "";
  $("#import-summary").textContent = "";
  show($("#import-report"), false);
  show($("#import-job"), false);
  if (!file()) {
    out.textContent = "Choose a CSV file first.";
    return $("#import-file").focus();
  }
  try {
    const report = await upload(true);
    $("#report-rows").replaceChildren(...report.rows.map(reportRow));
    show($("#import-report"));
    const text = `${report.total} rows: ${report.ok} ready to import, ${report.errors} with errors, ${report.duplicates} duplicates.`;
    $("#import-summary").textContent = text;
    announce(text, report.errors ? "warning" : "success");
    $("#run-import").disabled = !report.ok;
  } catch (failure) {
    out.textContent = failure.message;
  }
}

async function run() {
  $("#run-import").disabled = true;
  $("#import-error").textContent = "";
  try {
    const started = await upload(false);
    const job = await follow(started.job_id, $("#import-job"));
    const text = `Import finished: ${job.done} rows imported, ${job.failed} not imported.`;
    $("#import-summary").textContent = text;
    announce(text, job.failed ? "warning" : "success");
    await list.reload();
  } catch (failure) {
    $("#import-error").textContent = failure.message;
  }
}
