// A background job's progress: asks GET /api/staff/jobs/{id} until the job is finished (or
// has stalled: no progress for half an hour).
import * as api from "../../common/js/api.js";
import { $, element, show } from "../../common/js/ui.js";

/** Shows the job in `box` (its <progress>, counts and failures); resolves with the finished job. */
export async function follow(jobId, box) {
  show(box);
  $(".job-text", box).className = "job-text"; // a refusal shown before is gone
  const bar = $("progress", box);
  for (;;) {
    const job = await api.get(`/api/staff/jobs/${encodeURIComponent(jobId)}`);
    bar.max = Math.max(job.total, 1);
    bar.value = job.total ? job.done + job.failed : 1;
    $(".job-text", box).textContent =
      `${job.done} done, ${job.failed} failed, ${job.remaining} remaining (of ${job.total}).`;
    $(".failures", box).replaceChildren(
      ...job.failures.map((f) => element("li", "", `${f.row ? `Row ${f.row}, ` : ""}${f.name}: ${f.reason}`)),
    );
    if (job.state === "stalled") {
      $(".job-text", box).textContent +=
        " It stopped before the end. An import can simply be run again; for invitations, send to those still without one.";
    }
    if (job.state === "finished" || job.state === "stalled") return job;
    await new Promise((resolve) => window.setTimeout(resolve, 400));
  }
}
