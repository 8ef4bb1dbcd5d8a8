// The staff page: wires the views together.
import * as session from "./session.js";
import * as queue from "./queue.js";
import * as reply from "./reply.js";
import * as archive from "./archive.js";

queue.init({ onReply: reply.open });
reply.init({ onSent: queue.changed, onStale: queue.conflict });
archive.init({ onClose: queue.changed });
session.start({ onStart: queue.start, onStop: queue.stop });
