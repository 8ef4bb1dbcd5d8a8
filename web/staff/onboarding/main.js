// The onboarding page: wires the views together.
import * as session from "../js/session.js";
import * as list from "./list.js";
import * as bulk from "./bulk.js";
import * as importer from "./import.js";

list.init(bulk.changed);
bulk.init();
importer.init();
session.start({
  onStart: () => [list.reload(), importer.start()],
  onStop: list.stop,
});
