// The sign-out after 15 minutes without activity, for the staff pages and the portal; and,
// while the person works, a fresh token now and then, which the server counts as activity.
import { active } from "./api.js";

export const IDLE_LIMIT_MS = 15 * 60 * 1000;
const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "input"];

let timer = null;
let onIdle = () => {};

function arm() {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => onIdle(), IDLE_LIMIT_MS);
}

function activity() {
  arm();
  active();
}

/** Calls `idle` once the page has seen no activity for IDLE_LIMIT_MS. */
export function watch(idle) {
  onIdle = idle;
  arm();
  for (const kind of ACTIVITY) document.addEventListener(kind, activity, { passive: true });
}

export function stop() {
  window.clearTimeout(timer);
  for (const kind of ACTIVITY) document.removeEventListener(kind, activity);
}
