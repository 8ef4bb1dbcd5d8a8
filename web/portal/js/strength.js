// Live feedback while a password is typed. A rough guide only: the server's check decides.

const MINIMUM = 12;
const LABELS = ["Too short", "Weak", "Fair", "Good", "Strong"];
const COMMON = /pass(word)?|1234|qwert|abcd|letmein|welcome|portal|(.)\2{3}/i;

/** 0 (too short) to 4 (strong), with a sentence saying why. */
export function rate(password, avoid = []) {
  if (password.length < MINIMUM) return [0, `${password.length} of at least ${MINIMUM} characters.`];
  const lower = password.toLowerCase();
  if (avoid.some((word) => word && word.length > 2 && lower.includes(word.toLowerCase()))) {
    return [1, "Leave out your name, username and email address."];
  }
  if (COMMON.test(password)) return [1, "This contains something easy to guess."];
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((kind) => kind.test(password)).length;
  const distinct = new Set(lower).size;
  const words = kinds >= 2 || / \S/.test(password);
  const score = (password.length >= 16) + (password.length >= 20) + (distinct >= 8) + words;
  return [Math.max(1, score), ""];
}

/** Keeps a <meter> and its text up to date as `input` changes. */
export function watch(input, meter, text, avoid = () => []) {
  const update = () => {
    const [score, why] = rate(input.value, avoid());
    meter.value = score;
    text.textContent = input.value ? `Strength: ${LABELS[score]}. ${why}`.trim() : "";
  };
  input.addEventListener("input", update);
  input.form.addEventListener("reset", () => window.setTimeout(update));
}
