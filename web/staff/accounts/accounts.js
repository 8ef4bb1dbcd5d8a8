// The list of staff accounts and the changes an administrator makes from it: a role, an
// account off or on, an authenticator app reset. Each is asked for first; the API decides
// (admins only, never without an enabled administrator) and its refusal is said as it is.
import * as api from "../../common/js/api.js";
import { $, element, show, announce, when } from "../../common/js/ui.js";
import { word } from "./words.js";

const LIMIT = 60; // the API's largest page (Cognito's)
const path = (username, rest = "") => `/api/staff/staff-members/${encodeURIComponent(username)}${rest}`;
let cursor = null;
let latest = 0;
let signOut = () => {};

const admin = () => api.tokenGroups().includes("admin");

export function init(signOutNow) {
  signOut = signOutNow;
  $("#more").addEventListener("click", () => load(true));
  $("#rows").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-change]");
    if (button) change(button.closest("tr").dataset.username, button.dataset.change, button);
  });
}

/** Signed in: administrators get the list, front desk a note (the API refuses them too). */
export function start() {
  show($("#not-admin"), !admin());
  show($("#admin-view"), admin());
  return admin() ? load(false) : null;
}

export function stop() {
  latest += 1; // an answer still on its way is dropped
  $("#rows").replaceChildren();
}

export const reload = () => load(false);

async function load(more) {
  const note = $("#list-note");
  const mine = ++latest;
  try {
    const page = await api.get(api.query("/api/staff/staff-members", { limit: LIMIT, cursor: more ? cursor : "" }));
    if (mine !== latest) return;
    if (!more) $("#rows").replaceChildren();
    $("#rows").append(...page.items.map(row));
    cursor = page.next_cursor;
    show($("#more"), Boolean(cursor));
    note.textContent = $("#rows").children.length ? "" : word("none");
  } catch (failure) {
    note.textContent = `The list did not load: ${failure.message}`;
    announce(note.textContent, "error");
  }
}

function cell(text, className = "") {
  return element("td", className, text);
}

/** A button of the row, named for screen readers with whose account it changes. */
function button(change, label, username) {
  const node = element("button", "small", label);
  node.type = "button";
  node.dataset.change = change;
  node.append(element("span", "visually-hidden", ` (${username})`));
  return node;
}

function row(member) {
  const tr = element("tr");
  tr.dataset.username = member.username;
  const name = element("th", "", member.username);
  name.scope = "row";
  if (member.username === api.tokenUsername()) name.append(" ", element("span", "note", word("you")));
  const other = member.role === "administrator" ? "front_desk" : "administrator";
  const changes = element("div", "changes");
  changes.append(
    button(`role.${other}`, word(`button.role.${other}`), member.username),
    button(member.enabled ? "disable" : "enable", word(member.enabled ? "button.disable" : "button.enable"), member.username),
    button("reset", word("button.reset"), member.username),
  );
  tr.append(
    name,
    cell(member.email),
    cell(word(`role.${member.role}`)),
    cell(member.invited ? word("invited") : word(member.second_factor ? "app.on" : "app.off")),
    cell(member.last_signed_in_at ? when(member.last_signed_in_at) : word("never")),
    cell(word(member.enabled ? "account.on" : "account.off"), member.enabled ? "" : "off"),
    element("td"),
  );
  tr.lastElementChild.append(changes);
  return tr;
}

function ask(title, text) {
  const dialog = $("#ask");
  $("#ask-title").textContent = title;
  $("#ask-text").textContent = text;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

/** What each change sends, and how it is said once done. */
function request(username, change) {
  if (change === "reset") return () => api.post(path(username, "/mfa-reset"));
  if (change === "disable" || change === "enable") return () => api.patch(path(username), { enabled: change === "enable" });
  return () => api.patch(path(username), { role: change.split(".")[1] });
}

async function change(username, change, from) {
  const values = { username };
  if (!(await ask(word(`ask.${change}.title`, values), word(`ask.${change}.text`, values)))) {
    from.focus();
    return;
  }
  try {
    await request(username, change)();
  } catch (failure) {
    announce(failure.message, "error");
    from.focus();
    return;
  }
  if (username === api.tokenUsername() && change !== "enable") {
    signOut(word("done.self")); // the server has just refused this page's token
    return;
  }
  const done = change.startsWith("role.") ? "done.role" : `done.${change}`;
  announce(word(done, { username, role: word(`role.${change.split(".")[1]}`).toLowerCase() }));
  await load(false);
  const again = $(`#rows tr[data-username="${CSS.escape(username)}"] button[data-change]`);
  if (again) again.focus();
}
