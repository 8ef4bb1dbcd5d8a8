// The practice settings page: its own staff sign-in; administrators keep the office hours
// and the saved replies, anyone else is told the page is for administrators.
import * as api from "../../common/js/api.js";
import * as session from "../js/session.js";
import { $, show } from "../../common/js/ui.js";
import * as hours from "./hours.js";
import * as replies from "./replies.js";

function admin(on) {
  show($("#admin-view"), on);
  show($("#not-admin"), !on);
}

hours.init();
replies.init();
session.start({
  onStart: () => {
    const isAdmin = api.tokenGroups().includes("admin"); // the API checks the group too
    admin(isAdmin);
    return isAdmin ? [hours.load(), replies.load()] : [];
  },
  onStop: () => {
    admin(false);
    show($("#not-admin"), false);
    replies.stop();
  },
});
