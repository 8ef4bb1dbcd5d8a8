// The queue: a compact panel, the full queue it pops out to, the row actions (secure
// message, the two dismiss icons, the yellow helper button) and the auto-refresh that
// keeps the user's place: rows are updated in place, never rebuilt.
import * as api from "../../common/js/api.js";
import { $, show, announce, element, typeLabel, stateLabel, when } from "../../common/js/ui.js";
import { conflictText, HELPER_LABELS } from "./staff-ui.js";

export const REFRESH_MS = 30 * 1000;
const COMPACT_ROWS = 5;

const items = new Map(); // request_id -> the item as last seen
const rows = new Map(); // request_id -> <tr>
let timer = null;
let loading = null;
let generation = 0; // bumped on sign-out, so an answer still on its way is dropped
let changes = 0; // bumped by each change made from this page
let again = false;
let openReply = () => {};
let openChanges = async () => {};
let openPatient = () => {};
let view = "all"; // all, unassigned or mine
let me = "";
let colleagues = []; // usernames an item can be given to

/** Every page of the queue; `partial` sees the rows so far while later pages load. */
let overdueCount = 0; // the first page's count of overdue items (100 means "100 or more")

async function fetchAll(partial) {
  const all = [];
  let cursor = null;
  do {
    const page = await api.get(api.query("/api/staff/queue", { order: "oldest", limit: 200, cursor, view }));
    if (page.overdue_count !== null && page.overdue_count !== undefined) overdueCount = page.overdue_count;
    all.push(...page.items);
    cursor = page.next_cursor;
    if (cursor) partial(all);
  } while (cursor);
  return all;
}

function describe(item) {
  return `${typeLabel(item.type).toLowerCase()} from ${item.patient_name}`;
}

function fill(row, item) {
  row.dataset.id = item.request_id;
  $(".who-link", row).textContent = item.patient_name;
  $(".c-dob", row).textContent = item.patient_date_of_birth;
  $(".c-type", row).textContent = typeLabel(item.type);
  $(".summary-text", row).textContent = item.summary;
  $(".received-at", row).textContent = when(item.created_at);
  row.classList.toggle("overdue", Boolean(item.overdue));
  show($(".overdue-mark", row), Boolean(item.overdue));
  fillAssignee(row, item, describe(item));
  const about = describe(item);
  $(".act-message", row).setAttribute("aria-label", `Send a secure message about the ${about}`);
  $(".act-message", row).title = "Send a secure message";
  $(".act-done", row).setAttribute("aria-label", `Dismiss as completed: the ${about}`);
  $(".act-done", row).title = "Dismiss as completed";
  $(".act-not-done", row).setAttribute("aria-label", `Dismiss as will not be completed: the ${about}`);
  $(".act-not-done", row).title = "Dismiss as will not be completed";
  const helper = $(".helper", row);
  helper.textContent = HELPER_LABELS[item.type] || "Open";
  helper.setAttribute("aria-label", `${helper.textContent}: the ${about}`);
  // A helper result pressed earlier, here or by a colleague, shows after a refresh too.
  const output = $(".helper-result", row);
  if (item.helper_summary) output.textContent = item.helper_summary; // e.g. "Changes applied: phone"
}

function fillAssignee(row, item, about) {
  const holder = item.assigned_to || "";
  $(".assignee-name", row).textContent = holder ? (holder === me ? "You" : holder) : "Nobody";
  const take = $(".act-take", row);
  take.hidden = holder === me;
  take.setAttribute("aria-label", `Assign to me: the ${about}`);
  $(".act-assign", row).setAttribute("aria-label", `Assign to someone: the ${about}`);
}

/** The one "Assign to" dialog: everyone an item can be given to, or nobody. */
let assigning = null; // [item, row, opener]

function openAssign(item, row, opener) {
  assigning = [item, row, opener];
  const select = $("#assign-to");
  const holder = item.assigned_to || "";
  const names = colleagues.includes(holder) || !holder ? colleagues : [...colleagues, holder];
  const nobody = element("option", "", "Nobody");
  nobody.value = "-";
  const options = [nobody];
  for (const name of names) {
    const option = element("option", "", name === me ? `${name} (me)` : name);
    option.value = name;
    options.push(option);
  }
  select.replaceChildren(...options);
  select.value = holder || "-";
  $("#assign-about").textContent = `The ${describe(item)}, received ${when(item.created_at)}.`;
  $("#assign-dialog").showModal();
  select.focus();
}

function chooseAssignee(event) {
  event.preventDefault();
  const [item, row] = assigning;
  const chosen = $("#assign-to").value;
  $("#assign-dialog").close();
  assign(item, chosen === "-" ? null : chosen, row);
}

function newRow(item) {
  const row = $("#queue-row").content.firstElementChild.cloneNode(true);
  fill(row, item);
  return row;
}

function setHandled(row, handled) {
  row.classList.toggle("handled", handled);
  for (const button of row.querySelectorAll("button")) button.disabled = handled;
}

/** Rebuilt at each refresh; the name that had the keyboard focus keeps it. */
function renderCompact(list) {
  const target = $("#compact-list");
  const focused = target.contains(document.activeElement) ? document.activeElement.closest("li").dataset.id : null;
  target.replaceChildren();
  for (const item of list.slice(0, COMPACT_ROWS)) {
    const entry = element("li");
    entry.dataset.id = item.request_id;
    entry.append(
      element("button", "link who-link", item.patient_name),
      element("span", "what", typeLabel(item.type)),
      element("span", "when", when(item.created_at)),
    );
    if (item.overdue) entry.append(element("span", "overdue-mark", "Overdue"));
    entry.firstChild.type = "button";
    entry.firstChild.addEventListener("click", () => openPatient(item.patient_id, entry.firstChild));
    target.append(entry);
    if (item.request_id === focused) entry.firstChild.focus();
  }
  if (list.length > COMPACT_ROWS) {
    target.append(element("li", "more", `and ${list.length - COMPACT_ROWS} more in the full queue`));
  }
}

const VIEW_WORDS = { all: "", unassigned: " nobody has", mine: " assigned to you" };

function countText(n) {
  const items = n === 1 ? "1 open item" : `${n} open items`;
  const overdue = overdueCount >= 100 ? "100 or more overdue" : `${overdueCount} overdue`;
  return `${items}${VIEW_WORDS[view]}${overdueCount ? `; ${overdue} in the queue` : ""}`;
}

function note(row, text) {
  $(".row-note", row).textContent = text;
}

/** Brings the table to `list` with the fewest DOM moves, so focus and scroll stay put.
 * A partial list (the first pages of a long queue) only adds and updates rows. */
function render(list, partial = false) {
  const body = $("#queue-rows");
  const wanted = new Set(list.map((item) => item.request_id));
  for (const [id, row] of rows) {
    if (wanted.has(id) || partial) continue;
    if (row.dataset.keep === "1") {
      row.dataset.keep = "0"; // a 409's current state stays on screen until the next refresh
    } else {
      row.remove();
      rows.delete(id);
      items.delete(id);
    }
  }
  let position = body.firstElementChild;
  for (const item of list) {
    let row = rows.get(item.request_id);
    const known = items.get(item.request_id);
    if (!row) {
      row = newRow(item);
      rows.set(item.request_id, row);
    } else if (!known || known.version !== item.version || known.state !== item.state) {
      fill(row, item);
      row.classList.remove("conflict");
      note(row, "");
      setHandled(row, false);
    }
    items.set(item.request_id, item);
    while (position && position !== row && !wanted.has(position.dataset.id)) position = position.nextElementSibling;
    if (position === row) position = row.nextElementSibling;
    else body.insertBefore(row, position);
  }
  $("#compact-count").textContent = countText(list.length);
  $("#full-count").textContent = countText(list.length);
  show($("#queue-empty"), list.length === 0);
  renderCompact(list);
}

export function refresh() {
  if (loading) {
    again = true; // asked for while a load is on its way: load once more when it lands
    return loading;
  }
  loading = (async () => {
    try {
      do {
        again = false;
        const mine = generation;
        const seen = changes;
        const first = rows.size === 0; // on the first load, show each page as it arrives
        const list = await fetchAll((sofar) => {
          if (first && mine === generation && seen === changes) render(sofar, true);
        });
        if (mine !== generation) break;
        // A list fetched before a change made here (a dismiss) would bring its row back.
        if (seen === changes) render(list);
        else again = true;
      } while (again);
    } catch (failure) {
      if (failure.status !== 401) $("#full-count").textContent = `The queue could not be loaded: ${failure.message}`;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

/** A change made elsewhere on the page (a reply, a restore): reload, and never show a list
 * fetched before it. */
export function changed() {
  changes += 1;
  return refresh();
}

/** After a 409: say so, and show the item as it now stands. */
export function conflict(requestId, error) {
  const row = rows.get(requestId);
  const current = error.current;
  if (row && current) {
    items.set(requestId, current);
    fill(row, current);
    row.classList.add("conflict");
    row.dataset.keep = "1";
    setHandled(row, current.state !== "open");
    note(row, `${conflictText(error)}${current.state === "open" ? " Check it and try again." : ""}`);
  }
  announce(conflictText(error), "warning");
}

async function dismiss(item, outcome, row) {
  try {
    await api.post(`/api/staff/queue/${encodeURIComponent(item.request_id)}/dismiss`, {
      outcome,
      expected_version: item.version,
    });
    const next = row.nextElementSibling || row.previousElementSibling;
    changes += 1;
    row.remove();
    rows.delete(item.request_id);
    items.delete(item.request_id);
    if (next) $(".helper", next).focus();
    else $("#full-title").focus();
    announce(`Dismissed as ${stateLabel(outcome).toLowerCase()}: the ${describe(item)}. It is in the archive.`);
    await refresh();
  } catch (failure) {
    if (failure.status === 409) conflict(item.request_id, failure);
    else note(row, `That did not work: ${failure.message}`);
  }
}

async function assign(item, assignee, row) {
  try {
    const answer = await api.post(`/api/staff/queue/${encodeURIComponent(item.request_id)}/assignment`, {
      assignee,
      expected_version: item.version,
    });
    changes += 1;
    items.set(item.request_id, answer);
    fill(row, answer);
    const whom = answer.assigned_to ? (answer.assigned_to === me ? "you" : answer.assigned_to) : "nobody";
    announce(`The ${describe(item)} is assigned to ${whom} now.`);
    await refresh();
  } catch (failure) {
    if (failure.status === 409) conflict(item.request_id, failure);
    else note(row, `That did not work: ${failure.message}`);
  }
}

async function runHelper(item, row) {
  const output = $(".helper-result", row);
  // Beside a secure message the helper is the reply itself: opening it records nothing, so
  // a reply opened and cancelled leaves no sign that someone is on it (the sent reply does).
  if (item.type === "message") {
    openReply(item, $(".helper", row));
    return;
  }
  try {
    const answer = await api.post(`/api/staff/queue/${encodeURIComponent(item.request_id)}/helper`);
    output.textContent = (answer.result && answer.result.summary) || answer.label;
    announce(output.textContent);
    if (item.type === "demographics") await openChanges(item, answer, $(".helper", row));
  } catch (failure) {
    output.textContent = `The helper did not work: ${failure.message}`;
  }
}

function onRowClick(event) {
  const button = event.target.closest("button");
  const row = event.target.closest("tr");
  if (!button || !row || button.disabled) return;
  const item = items.get(row.dataset.id);
  if (!item) return;
  if (button.classList.contains("act-message")) openReply(item, button);
  else if (button.classList.contains("act-done")) dismiss(item, "completed", row);
  else if (button.classList.contains("act-not-done")) dismiss(item, "not_completed", row);
  else if (button.classList.contains("helper")) runHelper(item, row);
  else if (button.classList.contains("act-take")) assign(item, me, row);
  else if (button.classList.contains("act-assign")) openAssign(item, row, button);
  else if (button.classList.contains("who-link")) openPatient(item.patient_id, button);
}

function chooseView(button) {
  view = button.dataset.view;
  for (const choice of document.querySelectorAll(".view-choice")) {
    choice.setAttribute("aria-pressed", String(choice === button));
  }
  changes += 1; // a list fetched for the last view must not land in this one
  rows.clear();
  items.clear();
  $("#queue-rows").replaceChildren();
  refresh();
}

async function loadColleagues() {
  try {
    colleagues = (await api.get("/api/staff/colleagues")).map((colleague) => colleague.username);
  } catch {
    colleagues = [me]; // the list could not be read: assigning to oneself still works
  }
}

function popOut(full) {
  show($("#full-queue"), full);
  show($("#compact-panel"), !full);
  if (full) $("#full-title").focus();
  else $("#pop-out").focus();
}

export function init({ onReply, onChanges, onPatient }) {
  openReply = onReply;
  openChanges = onChanges;
  openPatient = onPatient;
  $("#queue-rows").addEventListener("click", onRowClick);
  $("#assign-form").addEventListener("submit", chooseAssignee);
  $("#assign-cancel").addEventListener("click", () => $("#assign-dialog").close());
  $("#assign-dialog").addEventListener("close", () => {
    const opener = assigning && assigning[2];
    if (opener && opener.isConnected) opener.focus();
  });
  for (const choice of document.querySelectorAll(".view-choice")) {
    choice.addEventListener("click", () => chooseView(choice));
  }
  $("#pop-out").addEventListener("click", () => popOut(true));
  $("#pop-in").addEventListener("click", () => popOut(false));
}

export function start() {
  me = api.tokenUsername() || "";
  loading = null;
  loadColleagues();
  refresh();
  window.clearInterval(timer);
  timer = window.setInterval(refresh, REFRESH_MS);
}

export function stop() {
  generation += 1;
  window.clearInterval(timer);
  timer = null;
  rows.clear();
  items.clear();
  $("#queue-rows").replaceChildren();
  $("#compact-list").replaceChildren();
  show($("#full-queue"), false);
  show($("#compact-panel"), true);
}
