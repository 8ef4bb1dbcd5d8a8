// The staff sign-in's four views (password, a first sign-in's new password, enrolling the
// authenticator app, the app's code), one copy for every staff page: each page holds
// <div id="staff-sign-in" hidden></div> where they go, and this module, imported first by
// the staff session, puts them there before any script looks for them. Static text only.
const VIEWS = `
<section id="sign-in-view" class="card narrow" aria-labelledby="sign-in-title" hidden>
  <h1 id="sign-in-title">Staff sign-in</h1>
  <p id="signed-out-note" class="note" hidden></p>
  <form id="sign-in-form" novalidate>
    <label for="username">Username</label>
    <input id="username" name="username" autocomplete="username" required>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <p id="sign-in-error" class="error" role="alert"></p>
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>

<section id="new-password-view" class="card narrow" aria-labelledby="new-password-title" hidden>
  <h1 id="new-password-title">Choose a new password</h1>
  <p>This is your first sign-in. Choose your own password to continue.</p>
  <form id="new-password-form" novalidate>
    <label for="new-password">New password</label>
    <input id="new-password" name="new-password" type="password" autocomplete="new-password" required aria-describedby="password-rules">
    <label for="new-password-again">New password again</label>
    <input id="new-password-again" name="new-password-again" type="password" autocomplete="new-password" required>
    <p id="password-rules" class="hint">Use a long password that is hard to guess, for example four unrelated words.</p>
    <p id="new-password-error" class="error" role="alert"></p>
    <button type="submit" class="primary">Save password and sign in</button>
  </form>
</section>

<section id="mfa-setup-view" class="card narrow" aria-labelledby="mfa-setup-title" hidden>
  <h1 id="mfa-setup-title">Set up your authenticator app</h1>
  <p>Every staff sign-in asks for a code from an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 1Password). Add this portal to the app by scanning the QR code, or type in the key below it.</p>
  <img id="mfa-qr" class="qr" alt="QR code to scan with your authenticator app">
  <p>Key to type in instead: <code id="mfa-secret" class="secret"></code></p>
  <form id="mfa-setup-form" novalidate>
    <label for="mfa-setup-code">Code the app shows now</label>
    <input id="mfa-setup-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required aria-describedby="mfa-setup-error">
    <p id="mfa-setup-error" class="error" role="alert"></p>
    <button type="submit" class="primary">Confirm and sign in</button>
  </form>
</section>

<section id="mfa-code-view" class="card narrow" aria-labelledby="mfa-code-title" hidden>
  <h1 id="mfa-code-title">Enter your sign-in code</h1>
  <p>Open the authenticator app on your phone and enter the 6-digit code it shows for this portal.</p>
  <form id="mfa-code-form" novalidate>
    <label for="mfa-code">Code from your authenticator app</label>
    <input id="mfa-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required aria-describedby="mfa-code-error">
    <p id="mfa-code-error" class="error" role="alert"></p>
    <button type="submit" class="primary">Sign in</button>
  </form>
  <p class="hint">Lost your phone or got a new one? An administrator can reset your authenticator app; you then set it up again here.</p>
</section>
`;

const slot = document.getElementById("staff-sign-in");
if (slot) {
  const views = document.createElement("template");
  views.innerHTML = VIEWS;
  slot.replaceWith(views.content);
}
