// The staff accounts page (administrators): wires the views together.
import * as session from "../js/session.js";
import * as accounts from "./accounts.js";
import * as invite from "./invite.js";

accounts.init(session.signOut);
invite.init(accounts.reload);
session.start({ onStart: accounts.start, onStop: accounts.stop });
