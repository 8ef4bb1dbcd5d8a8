// The patient portal: one page, a view per address fragment (#inbox, #new-refill, ...).
import * as api from "../../common/js/api.js";
import * as session from "./session.js";
import * as link from "./link.js";
import * as identity from "./identity.js";
import * as register from "./register.js";
import * as inbox from "./inbox.js";
import * as requests from "./requests.js";
import * as password from "./password.js";
import * as practice from "./practice.js";
import { $, show } from "../../common/js/ui.js";

/** A view whose form was answered shows its form again when it is opened again. */
function reopen(view) {
  view.querySelector("form").hidden = false;
  view.querySelector(".answer").hidden = true;
}

const PUBLIC = new Set(["sign-in", "claim", "forgot", "register", "link"]);
const ON_SHOW = {
  link: link.load,
  inbox: (view) => [inbox.load(view), practice.load()],
  requests: requests.load,
  claim: reopen,
  forgot: reopen,
  register: reopen,
};

function route() {
  const views = [...document.querySelectorAll("[data-view]")];
  let name = link.capture() ? "link" : location.hash.slice(1);
  const signedIn = api.signedIn();
  if (!views.some((view) => view.dataset.view === name)) name = signedIn ? "inbox" : "sign-in";
  else if (signedIn && PUBLIC.has(name) && name !== "link") name = "inbox";
  else if (!signedIn && !PUBLIC.has(name)) name = "sign-in";
  for (const view of views) show(view, view.dataset.view === name);
  show($("#home-nav"), signedIn);
  show($("#whoami"), signedIn);
  for (const item of document.querySelectorAll("[data-nav]")) {
    if (name.startsWith(item.dataset.nav)) item.setAttribute("aria-current", "page");
    else item.removeAttribute("aria-current");
  }
  if (ON_SHOW[name]) ON_SHOW[name]($(`[data-view="${name}"]`));
  const target = name === "sign-in" ? $("#username") : $(`[data-view="${name}"] h1`);
  target.focus();
}

/** Shows a view; an address the browser is already on is shown again. */
export function go(name) {
  if (location.hash === `#${name}`) route();
  else location.hash = name;
}

api.forAccount("patient");
const captured = link.capture();
identity.init();
register.init();
inbox.init();
requests.init({ onSent: () => go("requests") });
password.init({ onChanged: () => session.signOut("Your password is changed. Sign in with the new one.") });
link.init();
window.addEventListener("hashchange", route);
// A link to the view already shown loads it again (fresh messages or requests).
document.addEventListener("click", (event) => {
  if (event.target.closest?.("a")?.hash === location.hash) route();
});
fetch("/api/public/practice")
  .then((answer) => answer.json())
  .then((practice) => {
    if (!api.signedIn()) $("#brand").textContent = `${practice.name}: patient portal`;
    for (const rules of document.querySelectorAll(".rules")) rules.textContent = practice.password_rules;
  })
  .catch(() => {});
if (captured) route();
session.start(go).then(() => {
  if (!captured) route();
});
