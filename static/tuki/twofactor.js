// Passkeys (WebAuthn) for second factors: registering one on the second-factors page
// ([data-passkey-register]) and using one at sign-in or a re-check ([data-passkey-verify]).
// The server makes the options and checks the answers (tuki/twofactor); this file only hands
// them between the server and navigator.credentials. No inline script: CSP.
(() => {
  const csrf = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch { return ""; }
  };

  const fromB64url = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const toB64url = (buffer) => {
    let text = "";
    new Uint8Array(buffer).forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const creationOptions = (json) => {
    if (window.PublicKeyCredential?.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    return {
      ...json,
      challenge: fromB64url(json.challenge),
      user: { ...json.user, id: fromB64url(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })),
    };
  };
  const requestOptions = (json) => {
    if (window.PublicKeyCredential?.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    return {
      ...json,
      challenge: fromB64url(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })),
    };
  };
  const credentialJSON = (credential) => {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) response.userHandle = toB64url(r.userHandle);
    }
    return { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults?.() || {} };
  };

  const post = async (url, body) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch { data = {}; }
    return { ok: response.ok, data };
  };

  const showError = (holder, message) => {
    const target = holder.querySelector("[data-passkey-error]");
    if (target) target.textContent = message;
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest?.("[data-passkey-register]");
    if (!form) return;
    event.preventDefault();
    if (!window.PublicKeyCredential) { showError(form, form.dataset.unsupported); return; }
    showError(form, "");
    try {
      const options = await post(form.dataset.optionsUrl);
      if (!options.ok) throw new Error(options.data.error || form.dataset.failed);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options.data) });
      const name = form.querySelector("[name=name]")?.value || "";
      const answer = await post(form.dataset.submitUrl, { name, credential: credentialJSON(credential) });
      if (!answer.ok) throw new Error(answer.data.error || form.dataset.failed);
      window.location.assign(answer.data.redirect);
    } catch (error) {
      showError(form, error?.message || form.dataset.failed);
    }
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest?.("#use-passkey");
    const holder = button?.closest("[data-passkey-verify]");
    if (!holder) return;
    if (!window.PublicKeyCredential) { showError(holder, holder.dataset.unsupported); return; }
    showError(holder, "");
    button.disabled = true;
    try {
      const options = await post(holder.dataset.optionsUrl);
      if (!options.ok) throw new Error(options.data.error || holder.dataset.failed);
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options.data) });
      const remember = document.querySelector("#code-form [name=remember]")?.checked || false;
      const answer = await post(holder.dataset.submitUrl, { remember, credential: credentialJSON(credential) });
      if (answer.data.redirect) { window.location.assign(answer.data.redirect); return; }
      throw new Error(answer.data.error || holder.dataset.failed);
    } catch (error) {
      showError(holder, error?.message || holder.dataset.failed);
    } finally {
      button.disabled = false;
    }
  });
})();
