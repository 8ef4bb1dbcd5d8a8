// The "send a secure message" dialog: message, the two default-on checkboxes, the
// disposition, and the patient's past correspondence on demand.
import * as api from "../../common/js/api.js";
import { $, show, announce, element, typeLabel, when } from "../../common/js/ui.js";
import { conflictText, filledIn } from "./staff-ui.js";
import * as savedReplies from "./saved-replies.js";

let current = null;
let returnFocus = null;
let afterSend = async () => {};
let onConflict = () => {};
let notes = []; // the open item's internal notes, oldest first

function resetHistory() {
  show($("#history"), false);
  $("#history-toggle").setAttribute("aria-expanded", "false");
  $("#history-list").replaceChildren();
  $("#history-note").textContent = "";
}

export function open(item, opener) {
  current = item;
  returnFocus = opener || null;
  $("#reply-form").reset();
  $("#reply-notify").checked = true;
  $("#reply-link").checked = true;
  $("#reply-disposition").value = "leave_open";
  $("#reply-error").textContent = "";
  $("#reply-send").disabled = false;
  $("#reply-title").textContent = `Send a secure message to ${item.patient_name}`;
  $("#reply-about").textContent = `${typeLabel(item.type)}, received ${when(item.created_at)}: ${item.summary}`;
  $("#reply-details").replaceChildren();
  $("#notes-list").replaceChildren();
  $("#note-body").value = "";
  $("#note-status").textContent = "";
  notes = [];
  showDetails(item);
  resetHistory();
  savedReplies.offer(item);
  $("#reply-dialog").showModal();
  $("#reply-body").focus();
}

function noteEntry(note) {
  const entry = element("li", "letter internal");
  entry.append(element("p", "meta", `Internal note by ${note.author}, ${when(note.created_at)}`), element("p", "body", note.body));
  return entry;
}

function showNotes() {
  $("#notes-list").replaceChildren(...notes.map(noteEntry));
}

/** Every field the patient filled in, labelled in plain words (the item as opened), and the
 * item's internal notes. */
async function showDetails(item) {
  try {
    const session = api.session();
    const opened = await api.get(`/api/staff/queue/${encodeURIComponent(item.request_id)}`);
    if (session !== api.session() || current !== item) return; // signed out, or another item opened
    notes = opened.notes || [];
    showNotes();
    if (item.type === "message") return; // the patient's message is the item itself
    const list = $("#reply-details");
    list.replaceChildren();
    for (const [label, value] of filledIn(opened.details || {})) list.append(element("dt", "", label), element("dd", "", value));
  } catch (failure) {
    $("#reply-error").textContent = `The request's details could not be loaded: ${failure.message}`;
  }
}

function close() {
  $("#reply-dialog").close();
}

async function toggleHistory() {
  const toggle = $("#history-toggle");
  const expanded = toggle.getAttribute("aria-expanded") === "true";
  if (expanded) {
    resetHistory();
    return;
  }
  toggle.setAttribute("aria-expanded", "true");
  show($("#history"), true);
  const noteElement = $("#history-note");
  noteElement.textContent = "Loading past correspondence…";
  try {
    const path = `/api/staff/patients/${encodeURIComponent(current.patient_id)}/correspondence`;
    const session = api.session();
    const page = await api.get(api.query(path, { limit: 50 }));
    if (session !== api.session()) return; // signed out meanwhile: show nothing
    const list = $("#history-list");
    list.replaceChildren();
    // The item's internal notes among the letters, newest first, each marked as internal
    const entries = [
      ...page.items.map((letter) => {
        const entry = element("li", `letter from-${letter.author}`);
        const who = letter.author === "patient" ? current.patient_name : "The practice";
        entry.append(element("p", "meta", `${who}, ${when(letter.created_at)}`), element("p", "body", letter.body));
        return [letter.created_at, entry];
      }),
      ...notes.map((note) => [note.created_at, noteEntry(note)]),
    ];
    entries.sort((a, b) => (a[0] < b[0] ? 1 : -1));
    list.append(...entries.map(([, entry]) => entry));
    noteElement.textContent = page.items.length
      ? `${page.items.length} past message${page.items.length === 1 ? "" : "s"}, newest first.`
      : "No past correspondence with this patient.";
  } catch (failure) {
    noteElement.textContent = `Past correspondence could not be loaded: ${failure.message}`;
  }
}

async function addNote() {
  const field = $("#note-body");
  const status = $("#note-status");
  const body = field.value.trim();
  if (!body) {
    status.textContent = "Write the note first.";
    field.focus();
    return;
  }
  const item = current;
  try {
    const note = await api.post(`/api/staff/queue/${encodeURIComponent(item.request_id)}/notes`, { body });
    if (current !== item) return;
    notes.push(note);
    showNotes();
    field.value = "";
    status.textContent = "Note added. Only staff see it.";
  } catch (failure) {
    status.textContent = `The note was not added: ${failure.message}`;
  }
}

async function send(event) {
  event.preventDefault();
  const error = $("#reply-error");
  error.textContent = "";
  const body = $("#reply-body").value.trim();
  if (!body) {
    error.textContent = "Write a message to the patient first.";
    $("#reply-body").focus();
    return;
  }
  $("#reply-send").disabled = true;
  try {
    const answer = await api.post(`/api/staff/queue/${encodeURIComponent(current.request_id)}/reply`, {
      body,
      notify_patient: $("#reply-notify").checked,
      link_to_request: $("#reply-link").checked,
      disposition: $("#reply-disposition").value,
      expected_version: current.version,
    });
    close();
    const state = answer.item.state;
    announce(
      state === "open"
        ? `Message sent to ${current.patient_name}. The request stays open.`
        : `Message sent to ${current.patient_name}. The request is in the archive.`,
    );
    await afterSend();
  } catch (failure) {
    $("#reply-send").disabled = false;
    if (failure.status === 409) {
      error.textContent = `${conflictText(failure)} Your message was not sent.`;
      if (failure.current) current = failure.current;
      onConflict(failure.current ? failure.current.request_id : current.request_id, failure);
    } else {
      error.textContent = failure.message;
    }
  }
}

export function init({ onSent, onStale }) {
  afterSend = onSent;
  onConflict = onStale;
  $("#reply-form").addEventListener("submit", send);
  $("#reply-cancel").addEventListener("click", close);
  $("#history-toggle").addEventListener("click", toggleHistory);
  $("#note-add").addEventListener("click", addNote);
  savedReplies.init();
  $("#reply-dialog").addEventListener("close", () => {
    if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  });
}
