// The agent's ticket pages: the ticket page (templates/tickets/detail.html and its reply box)
// and "Log a call" (templates/tickets/log_call.html). Listeners are delegated from the
// document so that they also serve fragments htmx swaps in.

// Action dialogs fetch their form when they open; start as the pointer or focus reaches a
// button that opens one, so that the form is there by the time the dialog shows.
for (const type of ["pointerover", "focusin"]) {
  document.addEventListener(type, (event) => {
    const button = event.target.closest?.("[data-bs-toggle=modal][data-bs-target^='#action-']");
    const dialog = button && document.querySelector(button.dataset.bsTarget);
    if (dialog && window.htmx) window.htmx.trigger(dialog, "tuki:preload");
  });
}

// Assign: show only the members of the chosen group.
document.addEventListener("change", (event) => {
  if (event.target.id !== "id_assign_group") return;
  const form = event.target.closest("form");
  const name = event.target.selectedOptions[0]?.text;
  form.querySelectorAll("#id_assign_assignee optgroup").forEach((group) => { group.hidden = Boolean(event.target.value) && group.label !== name; });
});

// Put text at the cursor of the reply box, after a blank line.
function insertIntoReply(box, text) {
  const start = box.selectionStart ?? box.value.length, end = box.selectionEnd ?? box.value.length;
  const before = box.value.slice(0, start), after = box.value.slice(end);
  const gap = before && !before.endsWith("\n") ? "\n\n" : "";
  box.value = before + gap + text + after;
  box.focus();
  box.selectionStart = box.selectionEnd = (before + gap + text).length;
}

// "Insert article" (templates/knowledge/partials/insert_control.html): the article's link or
// text goes in at the cursor. Its KB number goes with it, so the knowledge base records the
// article as used on this ticket when the reply is sent.
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-kb-insert]");
  const box = document.getElementById("id_body");
  if (!button || !box) return;
  insertIntoReply(box, button.dataset.kbInsert);
  const toggle = button.closest(".kb-insert")?.querySelector("[data-bs-toggle=dropdown]");
  if (toggle && window.bootstrap) window.bootstrap.Dropdown.getOrCreateInstance(toggle).hide();
});

// A macro's "Insert" (templates/macros/partials/picker.html): its text goes at the end of the
// reply box, and the macro's visibility (internal note or public reply) is chosen.
document.addEventListener("htmx:afterRequest", (event) => {
  if (!event.detail.elt.matches?.("[data-macro-insert]")) return;
  const error = document.getElementById("macro-error");
  const xhr = event.detail.xhr;
  if (!event.detail.successful) {
    if (xhr) error.textContent = xhr.responseText;
    return;
  }
  const box = document.getElementById("id_body");
  const text = xhr.responseText;
  box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
  const internal = xhr.getResponseHeader("X-Tuki-Macro-Internal") === "1";
  const radio = document.getElementById(internal ? "vis-internal" : "vis-public");
  if (radio && !radio.disabled) radio.checked = true;
  error.replaceChildren();
  box.focus();
});

// Log a call: keyboard-first caller search. ↓/↑ move through the matches, Enter picks, Esc
// goes back.
const callerOptions = () => Array.from(document.querySelectorAll("#caller-results [role=option]"));
document.addEventListener("keydown", (event) => {
  const input = document.getElementById("id_caller");
  if (!input || !document.getElementById("call-form")) return;
  if (event.target === input) {
    const options = callerOptions();
    if (event.key === "ArrowDown" && options.length) { event.preventDefault(); options[0].focus(); }
    if (event.key === "Enter") { event.preventDefault(); if (options.length) options[0].click(); }
  } else if (event.target.closest?.("#caller-results")) {
    const list = callerOptions(); const index = list.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && index < list.length - 1) { event.preventDefault(); list[index + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? list[index - 1] : input).focus(); }
    if (event.key === "Escape") { document.getElementById("caller-results").innerHTML = ""; input.focus(); }
  }
});
document.addEventListener("caller-picked", () => {
  const input = document.getElementById("id_caller");
  if (!input) return;
  document.getElementById("caller-results").innerHTML = "";
  const picked = document.querySelector("#caller-box [name=requester]");
  if (picked) input.value = picked.dataset.name;
  document.getElementById("id_category").focus();
});

// Log a call: accept an Assist suggestion in one click (data-assist-pick names the select;
// data-assist-outcome, the outcome radio to check with it).
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-assist-pick]");
  if (!button) return;
  const outcome = document.getElementById(button.dataset.assistOutcome || "");
  if (outcome) { outcome.checked = true; outcome.dispatchEvent(new Event("change", { bubbles: true })); }
  const select = document.getElementById(button.dataset.assistPick);
  if (!select) return;
  select.value = button.dataset.value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  select.focus();
});
