// Bulk invitations: the patients ticked, or every match of the search, sent as one job.
import * as api from "../../common/js/api.js";
import { $, show, announce } from "../../common/js/ui.js";
import { say } from "../../common/js/forms.js";
import * as list from "./list.js";
import { follow } from "./job.js";

export function init() {
  $("#all-matches").addEventListener("change", changed);
  $("#send").addEventListener("click", send);
}

/** Keeps the ticks, the count and the Send button true to the selection. */
export function changed() {
  const all = $("#all-matches").checked;
  for (const box of document.querySelectorAll("#rows .pick")) {
    box.disabled = all;
    box.checked = all || list.selected.has(box.closest("tr").dataset.id);
  }
  const n = list.selected.size;
  $("#selected-count").textContent = all
    ? "Every patient matching the search and status is selected."
    : `${n || "No"} patient${n === 1 ? "" : "s"} selected.`;
  $("#send").disabled = !all && !n;
}

async function send() {
  const { q, status } = list.filter;
  const body = $("#all-matches").checked ? { filter: status ? { q, status } : { q } } : { patient_ids: [...list.selected] };
  const box = $("#bulk-job");
  $("#send").disabled = true;
  try {
    const started = await api
      .post("/api/staff/onboarding/invitations", body)
      .catch(async (failure) => {
        if (!(await list.resendConfirmed(failure))) throw failure;
        return api.post("/api/staff/onboarding/invitations", { ...body, confirm_resend: true });
      });
    announce(`Sending ${started.total} invitation emails.`);
    const job = await follow(started.job_id, box);
    list.invited(job, body.patient_ids || null);
    list.selected.clear();
    $("#all-matches").checked = false;
    announce(`Invitations finished: ${job.done} sent, ${job.failed} not sent.`, job.failed ? "warning" : "success");
    await list.reload();
  } catch (failure) {
    show(box);
    say($(".job-text", box), `Not sent: ${failure.message}`, "error");
  }
  changed();
}
