// The practice's office hours on the home page, and what a message or request sent while the
// office is closed is told: when it will be read. The API decides (open now, next opening);
// this module only words it, in the practice's own time zone.
import * as api from "../../common/js/api.js";
import { $, show } from "../../common/js/ui.js";

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
let practice = null;
let loadedIn = null;

const words = (selector) => $("#office-words").content.querySelector(selector).textContent;

/** "08:00" as "8:00 AM". */
function clock(text) {
  const [hours, minutes] = text.split(":").map(Number);
  const moment = new Date(Date.UTC(2000, 0, 3, hours, minutes));
  return new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(moment);
}

/** "Monday at 8:00 AM", in the practice's time zone. */
function dayAndTime(iso) {
  const zone = (practice && practice.time_zone) || undefined;
  const date = new Date(iso);
  const day = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: zone }).format(date);
  const time = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: zone }).format(date);
  return words('[data-word="at"]').replace("{day}", day).replace("{time}", time);
}

function zoneName(zone) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "long" }).formatToParts(new Date());
  return (parts.find((part) => part.type === "timeZoneName") || { value: zone }).value;
}

/** Consecutive days with the same hours together: "Monday – Friday 8:00 AM – 5:00 PM". */
function days(hours) {
  const text = (day) => (hours[day] ? `${clock(hours[day].open)} – ${clock(hours[day].close)}` : words('[data-word="closed"]'));
  const groups = [];
  for (const day of DAYS) {
    const last = groups[groups.length - 1];
    if (last && last.text === text(day)) last.to = day;
    else groups.push({ from: day, to: day, text: text(day) });
  }
  const name = (day) => words(`[data-day="${day}"]`);
  return groups
    .map((group) => `${name(group.from)}${group.to === group.from ? "" : ` – ${name(group.to)}`} ${group.text}`)
    .join("; ");
}

function render() {
  const line = $("#office-hours");
  show(line.querySelector(".open-now"), practice.open_now);
  show(line.querySelector(".closed-now"), !practice.open_now);
  line.querySelector(".next-opening").textContent = practice.next_opening_at ? dayAndTime(practice.next_opening_at) : "";
  line.querySelector(".hours-zone").textContent = zoneName(practice.time_zone);
  line.querySelector(".hours-days").textContent = days(practice.office_hours);
  show(line);
}

/** The hours line, read once per sign-in (and again each time the home page is shown). */
export async function load() {
  const mine = api.session();
  try {
    const answer = await api.get("/api/portal/practice");
    if (mine !== api.session()) return; // signed out meanwhile: show nothing
    practice = answer;
    loadedIn = mine;
    render();
  } catch {
    show($("#office-hours"), false);
  }
}

/** What to add to "sent" when the office is closed: " The office is closed now; ...". */
export function readLater(nextReadAt) {
  if (!nextReadAt) return "";
  if (loadedIn !== api.session()) practice = null; // another patient's session: their zone is unknown here
  return ` ${words('[data-word="read-later"]').replace("{when}", dayAndTime(nextReadAt))}`;
}
