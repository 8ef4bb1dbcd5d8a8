// Saved replies in the reply dialog: the chosen one's text, {first_name} (the first word of
// the patient's name) and {practice_name} filled in, goes in the message box to be edited.
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";

let replies = [];
let fills = {};
let shown = null;

export async function offer(item) {
  shown = item;
  $("#reply-saved").length = 1;
  show($("#saved-reply-pick"), false);
  const mine = api.session();
  const [list, practice] = await Promise.all([
    api.get("/api/staff/saved-replies"),
    fetch("/api/public/practice").then((got) => got.json()),
  ]).catch(() => []);
  if (!list || mine !== api.session() || shown !== item) return; // failed, signed out, or another item
  replies = list.items;
  fills = { "{first_name}": item.patient_name.split(" ")[0], "{practice_name}": practice.name };
  $("#reply-saved").append(...replies.map((reply) => new Option(reply.title, reply.reply_id)));
  show($("#saved-reply-pick"), replies.length > 0);
}

export function init() {
  $("#reply-saved").addEventListener("change", ({ target }) => {
    const reply = replies.find((each) => each.reply_id === target.value);
    if (reply) $("#reply-body").value = reply.text.replace(/\{\w+\}/g, (found) => fills[found] ?? found);
    $("#reply-body").focus();
  });
}
