// The inbox: secure messages newest first, the unread count, reading and replying.
import * as api from "../../common/js/api.js";
import { $, show, announce, element, when } from "../../common/js/ui.js";
import { busy, checkRequired, showFailure } from "../../common/js/forms.js";
import { readLater } from "./practice.js";

let opened = null;
let cursor = null;

function setUnread(count) {
  $("#unread-count").textContent =
    count === 0 ? "No unread messages." : `${count} unread message${count === 1 ? "" : "s"}.`;
  $("#nav-unread").textContent = count ? `(${count} unread)` : "";
}

function row(message) {
  const unread = message.author === "practice" && !message.read;
  const button = element("button", `message${unread ? " unread" : ""}`);
  button.type = "button";
  if (unread) button.append(element("span", "badge new", "New"));
  button.append(
    element("span", "from", message.author === "practice" ? "From the practice" : "You wrote"),
    element("span", "when", when(message.created_at)),
    element("span", "preview", message.body),
  );
  button.addEventListener("click", () => open(message, button));
  const item = element("li");
  item.append(button);
  return item;
}

async function page(more) {
  const list = $("#message-list");
  const mine = api.session();
  try {
    const inbox = await api.get(`/api/portal/messages?limit=50${more ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (mine !== api.session()) return; // signed out meanwhile: show nothing
    if (!more) list.replaceChildren();
    list.append(...inbox.items.map(row));
    if (!list.children.length) list.append(element("li", "note", "No messages yet."));
    setUnread(inbox.unread_count);
    cursor = inbox.next_cursor;
    show($("#messages-more"), Boolean(cursor));
  } catch (failure) {
    if (mine === api.session()) list.replaceChildren(element("li", "error", `The messages could not be loaded: ${failure.message}`));
  }
}

export const load = () => page(false);

async function open(message, button) {
  opened = message;
  $("#message-title").textContent = message.author === "practice" ? "Message from the practice" : "Your message";
  $("#message-when").textContent = when(message.created_at);
  $("#message-body").textContent = message.body;
  const form = $("#reply-form");
  form.reset();
  show(form, message.author === "practice");
  $("#message-dialog").showModal();
  if (message.author !== "practice" || message.read) return;
  try {
    const answer = await api.post(`/api/portal/messages/${encodeURIComponent(message.message_id)}/read`);
    message.read = true;
    button.classList.remove("unread");
    button.querySelector(".new").remove();
    setUnread(answer.unread_count);
  } catch {
    // Still unread; it is marked the next time it is opened.
  }
}

async function reply(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form)) return;
  let answer;
  try {
    const body = { body: form.elements.body.value.trim(), in_reply_to: opened.message_id };
    answer = await busy(form, () => api.post("/api/portal/messages", body));
  } catch (failure) {
    showFailure(form, failure);
    return;
  }
  $("#message-dialog").close();
  announce(`Your reply is sent.${readLater(answer.next_read_at)}`);
  load();
}

export function init() {
  $("#reply-form").addEventListener("submit", reply);
  $("#message-close").addEventListener("click", () => $("#message-dialog").close());
  $("#messages-more").addEventListener("click", () => page(true));
}
