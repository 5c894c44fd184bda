// The desk's chat on another site (docs/chat.md, "Embedding the widget"):
//   <script src="https://desk.example.com/static/tuki/chat-widget.js"
//           data-tuki="https://desk.example.com" defer></script>
// adds a "Chat with us" button that opens the desk's /portal/chat/?embed=1 in a frame. The
// desk allows the frame only for the origins in TUKI_CHAT_EMBED_ORIGINS.
(function () {
  "use strict";
  const script = document.currentScript || document.querySelector("script[data-tuki]");
  if (!script) return;
  const desk = (script.dataset.tuki || new URL(script.src).origin).replace(/\/+$/, "");
  const label = script.dataset.label || "Chat with us";
  const closeLabel = script.dataset.closeLabel || "Close";

  function style(el, rules) { Object.assign(el.style, rules); }

  function start() {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.setAttribute("aria-expanded", "false");
    button.className = "tuki-chat-button";
    style(button, {
      position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000",
      padding: "10px 18px", borderRadius: "24px", border: "0", cursor: "pointer",
      background: "#0d6efd", color: "#fff", font: "600 15px system-ui, sans-serif",
      boxShadow: "0 4px 12px rgba(0,0,0,.25)",
    });
    let frame = null;
    button.addEventListener("click", function () {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.src = desk + "/portal/chat/?embed=1";
        frame.title = label;
        frame.className = "tuki-chat-frame";
        style(frame, {
          position: "fixed", right: "20px", bottom: "76px", zIndex: "2147483000",
          width: "min(380px, calc(100vw - 40px))", height: "min(560px, calc(100vh - 100px))",
          border: "1px solid #ccc", borderRadius: "12px", background: "#fff",
          boxShadow: "0 8px 24px rgba(0,0,0,.25)",
        });
        document.body.appendChild(frame);
      } else {
        frame.hidden = !frame.hidden;
        if (!frame.hidden) frame.src = frame.src; // after signing in elsewhere, look again
      }
      const open = !frame.hidden;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? closeLabel : label;
    });
    document.body.appendChild(button);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
