// The request forms (one per type) and "My requests" with each one's state.
import * as api from "../../common/js/api.js";
import { $, show, announce, element, when, typeLabel, stateLabel } from "../../common/js/ui.js";
import { busy, checkRequired, showFailure } from "../../common/js/forms.js";
import { readLater } from "./practice.js";

let cursor = null;
let sent = () => {};

/** The API body of a request form: its type and non-empty fields. */
function requestBody(form) {
  const body = { type: form.dataset.type };
  const changes = {};
  for (const input of form.elements) {
    const value = input.name ? input.value.trim() : "";
    if (!value) continue;
    if (input.name === "preferred_times") (body.preferred_times ||= []).push(value);
    else if (input.hasAttribute("data-change")) changes[input.name] = value;
    else body[input.name] = value;
  }
  if (body.type === "demographics") body.changes = changes;
  return body;
}

async function submit(event) {
  const form = event.target;
  event.preventDefault();
  if (!checkRequired(form)) return;
  const body = requestBody(form);
  if (body.changes && !Object.keys(body.changes).length) {
    form.querySelector(".form-error").textContent = "Fill in at least one detail that has changed.";
    return;
  }
  let answer;
  try {
    answer = await busy(form, () => api.post("/api/portal/requests", body));
  } catch (failure) {
    showFailure(form, failure);
    return;
  }
  form.reset();
  sent();
  announce(`Your ${typeLabel(body.type).toLowerCase()} request is sent.${readLater(answer.next_read_at)}`);
}

function row(request) {
  const item = element("li", "request");
  item.append(
    element("span", "type", typeLabel(request.type)),
    element("span", `state ${request.state}`, stateLabel(request.state)),
    element("span", "when", when(request.created_at)),
    element("span", "preview", request.summary),
  );
  return item;
}

async function page(more) {
  const list = $("#request-list");
  const path = `/api/portal/requests?limit=50${more ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  const mine = api.session();
  try {
    const answer = await api.get(path);
    if (mine !== api.session()) return; // signed out meanwhile: show nothing
    if (!more) list.replaceChildren();
    list.append(...answer.items.map(row));
    if (!list.children.length) list.append(element("li", "note", "No requests yet."));
    cursor = answer.next_cursor;
    show($("#requests-more"), Boolean(cursor));
  } catch (failure) {
    if (mine === api.session()) list.replaceChildren(element("li", "error", `Your requests could not be loaded: ${failure.message}`));
  }
}

export const load = () => page(false);

export function init({ onSent }) {
  sent = onSent;
  for (const form of document.querySelectorAll("form.request")) form.addEventListener("submit", submit);
  $("#requests-more").addEventListener("click", () => page(true));
}
