// The page's words (#words in the HTML), with {username} and {role} filled in as text.
import { $ } from "../../common/js/ui.js";

export function word(key, values = {}) {
  const found = $("#words").content.querySelector(`[data-word="${CSS.escape(key)}"]`);
  const text = found ? found.textContent : key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
}
