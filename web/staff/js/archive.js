// "Recent portal activity": handled items, newest request first, searchable; clicking an
// item's status asks to mark it un-reviewed, which puts it back in the queue.
import * as api from "../../common/js/api.js";
import { $, show, announce, element, typeLabel, stateLabel, day } from "../../common/js/ui.js";

let cursor = null;
let latest = 0; // only the newest search's answer is shown
let searchTimer = null;
let pending = null;
let opener = null;
let closed = () => {};

function row(item) {
  const tr = element("tr");
  tr.dataset.id = item.request_id;
  const status = element("button", `status state-${item.state}`, stateLabel(item.state));
  status.type = "button";
  status.setAttribute("aria-label", `${stateLabel(item.state)}: mark ${item.patient_name}'s request as un-reviewed`);
  status.title = "Mark as un-reviewed";
  status.addEventListener("click", () => confirmRestore(item, tr, status));
  const statusCell = element("td");
  statusCell.append(status);
  tr.append(
    element("td", "", day(item.created_at)),
    element("td", "", item.patient_name),
    element("td", "", typeLabel(item.type)),
    element("td", "", item.summary),
    statusCell,
  );
  return tr;
}

async function load(more = false) {
  const noteElement = $("#archive-note");
  const body = $("#archive-rows");
  const q = $("#archive-q").value.trim();
  if (!more) cursor = null;
  noteElement.textContent = "Loading…";
  const mine = ++latest;
  const session = api.session();
  try {
    const page = await api.get(api.query("/api/staff/archive", { q, limit: 50, cursor: more ? cursor : null }));
    if (mine !== latest || session !== api.session()) return;
    if (!more) body.replaceChildren();
    for (const item of page.items) body.append(row(item));
    cursor = page.next_cursor;
    show($("#archive-more"), Boolean(cursor));
    const shown = body.children.length;
    // A search reads a bounded number of months a request, so nothing found yet may still
    // have older months to look through: the cursor says so.
    noteElement.textContent = shown
      ? `${shown} handled item${shown === 1 ? "" : "s"}${q ? ` matching “${q}”` : ""}, newest request first.`
      : cursor
        ? `Nothing${q ? ` matching “${q}”` : ""} in the most recent months; “Show older activity” searches further back.`
        : q
          ? `Nothing in the archive matches “${q}”.`
          : "The archive is empty.";
  } catch (failure) {
    if (mine !== latest) return;
    noteElement.textContent = `The archive could not be loaded: ${failure.message}`;
  }
}

function confirmRestore(item, tr, status) {
  pending = { item, tr, status };
  $("#confirm-text").textContent =
    `Mark ${item.patient_name}'s ${typeLabel(item.type).toLowerCase()} request (${item.summary}) as un-reviewed? ` +
    "It goes back to the open queue.";
  const dialog = $("#confirm-dialog");
  dialog.returnValue = "";
  dialog.showModal();
  $("#confirm-yes").focus();
}

async function onConfirmClosed() {
  const choice = $("#confirm-dialog").returnValue;
  const { item, tr, status } = pending || {};
  pending = null;
  if (!item) return;
  if (choice !== "yes") {
    status.focus();
    return;
  }
  try {
    await api.post(`/api/staff/archive/${encodeURIComponent(item.request_id)}/restore`, {
      expected_version: item.version,
    });
    const next = tr.nextElementSibling || tr.previousElementSibling;
    tr.remove();
    if (next) $("button", next).focus();
    else $("#archive-q").focus();
    const text = `${item.patient_name}'s request is marked un-reviewed and is back in the queue.`;
    $("#archive-note").textContent = text;
    announce(text);
  } catch (failure) {
    const text =
      failure.status === 409
        ? `Someone else changed this item first. It is now: ${stateLabel(failure.current ? failure.current.state : "")}.`
        : `That did not work: ${failure.message}`;
    $("#archive-note").textContent = text;
    status.focus();
    if (failure.status === 409 && failure.current && failure.current.state === "open") tr.remove();
  }
}

export function open(from) {
  opener = from;
  $("#archive-q").value = "";
  $("#archive-rows").replaceChildren();
  $("#archive-dialog").showModal();
  $("#archive-q").focus();
  load();
}

export function init({ onClose }) {
  closed = onClose;
  for (const button of document.querySelectorAll(".archive-open")) {
    button.addEventListener("click", () => open(button));
  }
  $("#archive-close").addEventListener("click", () => $("#archive-dialog").close());
  $("#archive-more").addEventListener("click", () => load(true));
  $("#archive-search").addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(searchTimer);
    load();
  });
  $("#archive-q").addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(load, 350);
  });
  $("#confirm-dialog").addEventListener("close", onConfirmClosed);
  $("#archive-dialog").addEventListener("close", () => {
    if (opener && opener.isConnected && !opener.closest("[hidden]")) opener.focus();
    closed();
  });
}
