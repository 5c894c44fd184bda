// The consultation panel (templates/tickets/thread/): Enter sends a message, Shift+Enter starts
// a new line; the newest message stays in view after a send or a live refresh.
(function () {
  function toBottom(root) {
    (root || document).querySelectorAll(".ws-thread-messages").forEach((list) => {
      list.scrollTop = list.scrollHeight;
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement)) return;
    const form = field.closest("[data-thread-composer]");
    if (!form) return;
    event.preventDefault();
    if (field.value.trim()) form.requestSubmit();
  });

  // A sent message: htmx swaps in a fresh composer; keep the cursor there.
  document.addEventListener("htmx:afterSwap", (event) => {
    const ids = [event.detail.elt?.id, event.detail.target?.id];
    if (ids.includes("thread-composer")) document.getElementById("thread-body")?.focus();
    toBottom();
  });
  document.addEventListener("htmx:oobAfterSwap", () => toBottom());
  document.addEventListener("tuki:live-refreshed", () => toBottom());
  document.addEventListener("DOMContentLoaded", () => toBottom());
})();
