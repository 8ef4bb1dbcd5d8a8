// The staff page: wires the views together.
import * as session from "./session.js";
import * as queue from "./queue.js";
import * as reply from "./reply.js";
import * as changeSet from "./change-set.js";
import * as archive from "./archive.js";
import * as patient from "./patient.js";
import * as staffAdmin from "./staff-admin.js";
import { $, show } from "../../common/js/ui.js";

queue.init({ onReply: reply.open, onChanges: changeSet.open, onPatient: patient.open });
reply.init({ onSent: queue.changed, onStale: queue.conflict });
changeSet.init({ onApplied: queue.changed, onStale: queue.conflict });
archive.init({ onClose: queue.changed });
patient.init();
staffAdmin.init();
session.start({
  onStart: () => [queue.start(), staffAdmin.start(), patient.fromAddress()],
  onStop: () => [queue.stop(), patient.stop()],
});

// The header's "Links" menu: a disclosure button and its list.
const links = $("#links-toggle");
links.addEventListener("click", () => {
  const open = links.getAttribute("aria-expanded") !== "true";
  links.setAttribute("aria-expanded", String(open));
  show($("#links-list"), open);
});
