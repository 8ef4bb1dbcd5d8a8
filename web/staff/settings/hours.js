// The office hours form: the office's time zone, each day's hours (unticked: closed), and
// how long an item may wait before it is overdue. The API decides what is valid.
import * as api from "../../common/js/api.js";
import { $, when } from "../../common/js/ui.js";
import { busy, clearErrors, fieldError, say, showFailure } from "../../common/js/forms.js";

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const PATH = "/api/staff/practice-settings";
const form = () => $("#hours-form");
const out = () => $("#hours-note");
let version = 0;

function zones(current) {
  const select = $("#time-zone");
  if (!select.options.length) {
    const names = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    select.append(...names.map((name) => new Option(name.replaceAll("_", " "), name)));
  }
  if (![...select.options].some((option) => option.value === current)) select.append(new Option(current, current));
  select.value = current;
}

/** A closed day's times cannot be typed in; opening one starts it at the usual hours. */
function enable(day) {
  const open = $(`#${day}-open`).checked;
  for (const [part, usual] of [["opens", "08:00"], ["closes", "17:00"]]) {
    const input = $(`#${day}-${part}`);
    input.disabled = !open;
    if (open && !input.value) input.value = usual;
  }
}

function fill(settings) {
  version = settings.version;
  zones(settings.time_zone);
  for (const day of DAYS) {
    const hours = settings.office_hours[day];
    $(`#${day}-open`).checked = Boolean(hours);
    $(`#${day}-opens`).value = hours ? hours.open : "";
    $(`#${day}-closes`).value = hours ? hours.close : "";
    enable(day);
  }
  $("#overdue-after").value = String(settings.overdue_after);
  $("#overdue-unit").value = settings.overdue_unit;
  $("#hours-changed").textContent = settings.version
    ? `Last saved by ${settings.changed_by}, ${when(settings.changed_at)}.`
    : "Not saved yet: these are the portal's defaults.";
}

function body() {
  const officeHours = {};
  for (const day of DAYS) {
    officeHours[day] = $(`#${day}-open`).checked
      ? { open: $(`#${day}-opens`).value, close: $(`#${day}-closes`).value }
      : null;
  }
  return {
    time_zone: $("#time-zone").value,
    office_hours: officeHours,
    overdue_after: Number($("#overdue-after").value),
    overdue_unit: $("#overdue-unit").value,
    expected_version: version,
  };
}

/** A refusal of one day's hours (`office_hours.monday...`) is shown on that day's times. */
function refused(failure) {
  const [, day] = (failure.field || "").split(".");
  if (!DAYS.includes(day)) return showFailure(form(), failure, out());
  clearErrors(form(), out());
  say(out(), "", "error");
  const name = $(`tr[data-day="${day}"] th`).textContent;
  const text = failure.message.replace(/^[\w.[\]]+: (Value error, )?/, "");
  fieldError(form(), `${day}-opens`, `${name}: ${text}`, out()).focus();
}

async function save(event) {
  event.preventDefault();
  clearErrors(form(), out());
  try {
    const saved = await busy(form(), () => api.put(PATH, body()));
    fill(saved);
    say(out(), "Office hours saved.");
  } catch (failure) {
    if (failure.status === 409 && failure.current) {
      fill(failure.current);
      say(
        out(),
        "Another administrator saved the settings meanwhile; theirs are shown now. Make your change again if it is still needed.",
        "warning",
      );
    } else if (failure.status === 422) {
      refused(failure);
    } else {
      say(out(), failure.message, "error");
    }
  }
}

export async function load() {
  const mine = api.session();
  try {
    const settings = await api.get(PATH);
    if (mine === api.session()) fill(settings);
  } catch (failure) {
    if (mine === api.session()) say(out(), `The settings could not be loaded: ${failure.message}`, "error");
  }
}

export function init() {
  form().addEventListener("submit", save);
  for (const day of DAYS) $(`#${day}-open`).addEventListener("change", () => enable(day));
}
