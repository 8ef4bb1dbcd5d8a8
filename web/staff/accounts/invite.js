// Inviting a member of staff: Cognito emails them a temporary password; the list shows them.
import * as api from "../../common/js/api.js";
import { $ } from "../../common/js/ui.js";
import { busy, clearErrors, say, showFailure, values } from "../../common/js/forms.js";
import { word } from "./words.js";

const form = () => $("#invite-form");
const note = () => $("#invite-note");

async function send(event, listChanged) {
  event.preventDefault();
  clearErrors(form(), note());
  const wanted = values(form());
  for (const name of ["username", "email"]) {
    if (!wanted[name]) {
      showFailure(form(), { message: `${name}: Fill in this field.`, field: name }, note());
      return;
    }
  }
  try {
    const member = await busy(form(), () => api.post("/api/staff/staff-members", wanted));
    form().reset();
    say(note(), word("invite.done", { username: member.username }));
    await listChanged();
  } catch (failure) {
    showFailure(form(), failure, note());
  }
}

export function init(listChanged) {
  form().addEventListener("submit", (event) => send(event, listChanged));
}
