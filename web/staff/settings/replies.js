// The saved replies: the list, with each one's Edit and Delete, and one form that adds a
// reply or, after Edit, changes that one (at the version read; the API checks the text).
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";
import { busy, clearErrors, say, showFailure } from "../../common/js/forms.js";

const PATH = "/api/staff/saved-replies";
const form = () => $("#reply-form");
const out = () => $("#reply-note");
let replies = [];
let editing = null;
let deleting = null;

const onePath = (reply) => `${PATH}/${encodeURIComponent(reply.reply_id)}`;

function entry(reply) {
  const node = $("#reply-entry").content.firstElementChild.cloneNode(true);
  node.dataset.id = reply.reply_id;
  node.querySelector(".saved-title").textContent = reply.title;
  node.querySelector(".saved-text").textContent = reply.text;
  for (const hidden of node.querySelectorAll(".visually-hidden")) hidden.textContent = ` ${reply.title}`;
  node.querySelector(".edit").addEventListener("click", () => edit(reply));
  node.querySelector(".delete").addEventListener("click", () => ask(reply));
  return node;
}

function render() {
  $("#reply-list").replaceChildren(...replies.map(entry));
  show($("#replies-empty"), !replies.length);
}

/** Back to adding a new reply. */
function adding() {
  editing = null;
  form().reset();
  $("#reply-form-title").textContent = "Add a saved reply";
  $("#reply-save").textContent = "Add saved reply";
  show($("#reply-cancel"), false);
}

function edit(reply) {
  clearErrors(form(), out());
  editing = reply;
  $("#reply-title").value = reply.title;
  $("#reply-text").value = reply.text;
  $("#reply-form-title").textContent = `Change the saved reply “${reply.title}”`;
  $("#reply-save").textContent = "Save changes";
  show($("#reply-cancel"));
  $("#reply-title").focus();
}

export async function load() {
  const mine = api.session();
  try {
    const answer = await api.get(PATH);
    if (mine !== api.session()) return;
    replies = answer.items;
    render();
  } catch (failure) {
    if (mine === api.session()) say(out(), `The saved replies could not be loaded: ${failure.message}`, "error");
  }
}

async function save(event) {
  event.preventDefault();
  clearErrors(form(), out());
  const body = { title: $("#reply-title").value.trim(), text: $("#reply-text").value.trim() };
  const changing = editing;
  try {
    await busy(form(), () =>
      changing ? api.put(onePath(changing), { ...body, expected_version: changing.version }) : api.post(PATH, body),
    );
    adding();
    await load();
    say(out(), changing ? `Saved reply “${body.title}” changed.` : `Saved reply “${body.title}” added.`);
  } catch (failure) {
    if (failure.status === 409 && failure.current) {
      await load();
      editing = failure.current; // saving again now overwrites their change, knowingly
      say(out(), "Someone changed this saved reply meanwhile; the list shows it as it is now. Save again to replace it with yours.", "warning");
    } else if (failure.status === 404) {
      adding();
      await load();
      say(out(), "That saved reply was deleted meanwhile.", "warning");
    } else {
      showFailure(form(), failure, out());
    }
  }
}

function ask(reply) {
  deleting = reply;
  $("#delete-which").textContent = reply.title;
  $("#delete-dialog").returnValue = "";
  $("#delete-dialog").showModal();
}

async function remove() {
  const reply = deleting;
  deleting = null;
  if (!reply || $("#delete-dialog").returnValue !== "yes") return;
  try {
    await api.del(api.query(onePath(reply), { expected_version: reply.version }));
    if (editing && editing.reply_id === reply.reply_id) adding();
    say(out(), `Saved reply “${reply.title}” deleted.`);
  } catch (failure) {
    say(out(), failure.status === 409 ? "Someone changed this saved reply meanwhile; check it and delete it again." : failure.message, "warning");
  }
  await load();
}

export function init() {
  form().addEventListener("submit", save);
  $("#reply-cancel").addEventListener("click", () => {
    clearErrors(form(), out());
    adding();
  });
  $("#delete-dialog").addEventListener("close", remove);
}

export function stop() {
  replies = [];
  adding();
  render();
}
