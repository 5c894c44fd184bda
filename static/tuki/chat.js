// Live chat (docs/chat.md): read marks, typing indicators, the agent's heartbeat, inserting
// knowledge links and macro texts into the composer. No inline script: behaviour is asked for
// by data- attributes. Works without the live layer too (pages then refresh on their own posts).
(function () {
  "use strict";

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function post(url, data) {
    const body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf() },
    }).catch(function () { /* offline: the next refresh tries again */ });
  }

  // Read marks: the newest message shown, while the page is visible.
  let lastSent = 0;
  function markRead() {
    const thread = document.querySelector("[data-chat-last]");
    if (!thread || document.visibilityState !== "visible") return;
    const last = parseInt(thread.dataset.chatLast || "0", 10);
    if (last > lastSent) { lastSent = last; post(thread.dataset.chatReadUrl, { upto: String(last) }); }
  }

  function scrollDown() {
    const box = document.querySelector("[data-chat-scroll]");
    if (box) box.scrollTop = box.scrollHeight;
  }

  function refreshed() { scrollDown(); markRead(); }

  document.addEventListener("DOMContentLoaded", refreshed);
  document.addEventListener("visibilitychange", markRead);
  document.addEventListener("tuki:live-refreshed", refreshed);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "chat-messages") refreshed();
    if (event.target && event.target.id === "chat-composer") focusComposer();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "chat-messages") refreshed();
  });

  function focusComposer() {
    const input = document.querySelector("[data-chat-input]");
    if (input) input.focus();
  }

  // The file chosen: show its name beside the paper clip.
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (input.type !== "file" || !input.closest("[data-chat-composer]")) return;
    const label = input.closest("form").querySelector("[data-chat-filename]");
    if (label) label.textContent = input.files.length ? input.files[0].name : "";
  });

  // Enter sends, Shift+Enter is a new line.
  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("[data-chat-input]")) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      input.form.requestSubmit();
    }
  });

  // Typing: tell the other side (the live layer rate-limits), and show theirs.
  document.addEventListener("input", function (event) {
    const input = event.target;
    const composer = input.closest && input.closest("[data-chat-composer]");
    if (composer && window.TukiLive && input.matches("[data-chat-input]")) {
      window.TukiLive.signal(composer.dataset.chatComposer, "typing");
    }
  });

  function watchTyping() {
    const box = document.querySelector("[data-chat-typing]");
    if (!box || !window.TukiLive || box.dataset.watching) return;
    box.dataset.watching = "1";
    const me = box.dataset.chatMe;
    let timer = null;
    window.TukiLive.subscribe(box.dataset.chatTyping, function (msg) {
      const data = msg.data || {};
      if (msg.kind === "typing" && String(data.user) !== me) {
        box.textContent = (data.name || "") + " " + box.dataset.typingText;
        clearTimeout(timer);
        timer = setTimeout(function () { box.textContent = ""; }, 5000);
      } else if (msg.kind === "stopped" || msg.kind === "message") {
        if (msg.kind === "message" && String(data.author) === me) return;
        box.textContent = "";
      } else if (msg.kind === "ended" && !box.dataset.reloading) {
        // The composer and buttons of an open chat no longer apply: show the ended chat.
        box.dataset.reloading = "1";
        setTimeout(function () { window.location.reload(); }, 400);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", watchTyping);

  // Knowledge links and macro texts go into the composer at the caret.
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-chat-insert]");
    if (!button) return;
    const input = document.querySelector("[data-chat-input]");
    if (!input) return;
    const text = button.dataset.chatInsert;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    const before = input.value.slice(0, start);
    const glue = before && !/\s$/.test(before) ? " " : "";
    input.value = before + glue + text + input.value.slice(end);
    input.focus();
    input.selectionStart = input.selectionEnd = start + glue.length + text.length;
  });

  // The agent's console: a heartbeat keeps chats coming while it is open.
  function heartbeat() {
    const holder = document.querySelector("[data-chat-heartbeat]");
    if (holder) post(holder.dataset.chatHeartbeat);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-chat-heartbeat]")) {
      heartbeat();
      setInterval(heartbeat, 20000);
    }
  });
})();
