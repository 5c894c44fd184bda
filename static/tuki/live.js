/* Live pages (docs/chat.md, "Live pages"): one connection per page to /live/, messages
   handed to whoever subscribed to their topic.

   TukiLive.subscribe("ticket.12", function (msg) { ... })  -> unsubscribe function
   TukiLive.signal("chat.3", "typing")                       -> tells the topic's others

   Declarative: <div data-live-topics="tickets" data-live-url="/desk/queue/?fragment=1">
   is re-fetched when a message arrives on one of its topics (optional data-live-kinds,
   data-live-throttle in ms), but never while the user types in it, has text selected in it
   has a menu of it open, has an edit form of it open (data-live-hold) or has changed a field
   in it (the queue's ticked rows): the refresh waits until they leave or are done. Presence:
   <div data-presence-topic="ticket.12"> lists the others viewing or writing.

   The body says how: data-live="sse" (server-sent events) or "poll" (once a second). */
(function () {
  "use strict";

  var body = document.body;
  var mode = body && body.dataset.live;
  if (!mode) {
    window.TukiLive = { subscribe: function () { return function () {}; }, signal: function () {} };
    return;
  }
  var me = body.dataset.liveUser || "";
  var base = body.dataset.liveBase || "/live/";
  var handlers = {}; // topic -> [fn]
  var source = null;
  var openTopics = "";
  var reconnectTimer = null;
  var hadError = false;
  var pollAfter = null;
  var pollTimer = null;
  var pollTopics = "";
  var isOpen = false;
  var openWaiters = [];

  function opened() {
    isOpen = true;
    var waiting = openWaiters;
    openWaiters = [];
    waiting.forEach(function (fn) { fn(); });
  }
  // Run fn once the connection receives messages (at once if it does already): what is
  // said before that (presence's "I am here") could miss the replies.
  function whenOpen(fn) {
    if (isOpen) fn(); else openWaiters.push(fn);
  }

  function topics() {
    return Object.keys(handlers).filter(function (t) { return handlers[t].length; }).sort();
  }

  function dispatch(msg) {
    if (msg.topic === "*") {
      refreshAll();
      return;
    }
    (handlers[msg.topic] || []).slice().forEach(function (fn) {
      try { fn(msg); } catch (e) { if (window.console) console.error(e); }
    });
  }

  function csrf() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // --- server-sent events ------------------------------------------------------------------
  function connectSSE() {
    var wanted = topics().join(",");
    if (wanted === openTopics && source) return;
    if (source) { source.close(); source = null; }
    openTopics = wanted;
    isOpen = false;
    if (!wanted) return;
    source = new EventSource(base + "events/?topics=" + encodeURIComponent(wanted));
    source.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.kind === "hello") {
        if (hadError) { hadError = false; refreshAll(); }  // what was missed meanwhile
        body.dataset.liveState = "open";
        opened();
        return;
      }
      dispatch(msg);
    };
    source.onerror = function () {
      hadError = true;
      body.dataset.liveState = "reconnecting";
    };
  }

  // --- polling (SQLite) --------------------------------------------------------------------
  // Polling (SQLite) keeps out of the way of the page's own requests: a poll waits while
  // an htmx request of the page is out, and stops once a form is submitted (the page is
  // leaving). SQLite serves one writer at a time.
  var ownRequests = 0;
  var leaving = false;
  document.addEventListener("htmx:beforeRequest", function () { ownRequests++; });
  document.addEventListener("htmx:afterRequest", function () { ownRequests = Math.max(0, ownRequests - 1); });
  document.addEventListener("submit", function (e) {
    if (e.defaultPrevented) return;
    leaving = true;
    // A form that does not leave the page (a download) lets polling go on after a while.
    setTimeout(function () { leaving = false; if (mode === "poll") schedulePoll(); }, 5000);
  });
  window.addEventListener("pageshow", function () { leaving = false; });

  function poll() {
    pollTimer = null;
    if (leaving) return;
    var wanted = topics().join(",");
    if (!wanted || ownRequests > 0) { schedulePoll(); return; }
    if (wanted !== pollTopics) { pollTopics = wanted; }
    var url = base + "poll/?topics=" + encodeURIComponent(wanted);
    if (pollAfter !== null) url += "&after=" + pollAfter;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) {
          pollAfter = data.last;
          body.dataset.liveState = "open";
          opened();
          (data.messages || []).forEach(dispatch);
        }
      })
      .catch(function () { body.dataset.liveState = "reconnecting"; })
      .then(schedulePoll);
  }
  function schedulePoll() {
    if (!pollTimer) pollTimer = setTimeout(poll, document.hidden ? 5000 : 1000);
  }

  function changed() {
    if (mode === "sse") {
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(connectSSE, 30);
    } else if (!pollTimer) {
      pollTimer = setTimeout(poll, 30);
    }
  }

  function subscribe(topic, fn) {
    (handlers[topic] = handlers[topic] || []).push(fn);
    changed();
    return function () {
      handlers[topic] = (handlers[topic] || []).filter(function (f) { return f !== fn; });
      changed();
    };
  }

  var lastSignal = {};
  function signal(topic, kind, force) {
    var key = topic + " " + kind;
    var now = Date.now();
    if (!force && lastSignal[key] && now - lastSignal[key] < 2000) return;
    lastSignal[key] = now;
    var form = new FormData();
    form.append("topic", topic);
    form.append("kind", kind);
    form.append("csrfmiddlewaretoken", csrf());
    if (kind === "left" && navigator.sendBeacon) {
      navigator.sendBeacon(base + "signal/", form);
      return;
    }
    fetch(base + "signal/", { method: "POST", body: form, credentials: "same-origin" })
      .catch(function () {});
  }

  // --- declarative refresh -----------------------------------------------------------------
  function busy(el) {
    var active = document.activeElement;
    if (active && el.contains(active) && active.matches("input, textarea, select, [contenteditable]")) {
      return true;
    }
    var sel = window.getSelection && window.getSelection();
    if (sel && !sel.isCollapsed && sel.anchorNode && el.contains(sel.anchorNode)) return true;
    if (el.querySelector(".dropdown-menu.show, .modal.show, details[open][data-live-keep]")) return true;
    // A form the user opened (an inline edit) or changed is theirs until they leave it.
    if (el.querySelector("[data-live-hold]")) return true;
    var fields = el.querySelectorAll("input:not([type=hidden]), textarea, select");
    for (var i = 0; i < fields.length; i++) {
      if (dirty(fields[i])) return true;
    }
    return false;
  }

  function dirty(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      var options = field.options;
      if (!field.multiple) {
        // With no option marked selected in the HTML, the first one is the default.
        var initial = 0;
        for (var j = 0; j < options.length; j++) {
          if (options[j].defaultSelected) { initial = j; break; }
        }
        return options.length > 0 && field.selectedIndex !== initial;
      }
      for (var i = 0; i < options.length; i++) {
        if (options[i].selected !== options[i].defaultSelected) return true;
      }
      return false;
    }
    return field.value !== field.defaultValue;
  }

  // Several parts of one page refreshed from the same URL share one fetch.
  var inflight = {};
  function fetchOnce(url, fragment) {
    // A fragment (htmx's header: the view answers its partial) or the whole page, whose
    // parts are picked by data-live-select.
    var key = (fragment ? "f " : "p ") + url;
    if (!inflight[key]) {
      var headers = { "X-Tuki-Live": "1" };
      if (fragment) headers["HX-Request"] = "true";
      inflight[key] = fetch(url, { credentials: "same-origin", headers: headers })
        .then(function (r) { return r.ok ? r.text() : null; });
      setTimeout(function () { delete inflight[key]; }, 150);
    }
    return inflight[key];
  }

  function urlOf(el) {
    var url = el.dataset.liveUrl;
    return url === "@location" ? window.location.pathname + window.location.search : url;
  }

  // Parts a page loads by itself after it is shown (hx-trigger="load": the ticket page's
  // problem, major incident, affected items sections) keep what they loaded rather than
  // flash "Loading…" and fetch again on every refresh; they update themselves. The loaded
  // nodes are moved back in, not re-parsed (their script-set styles would meet the CSP).
  function swapIn(el, html) {
    var keep = {};
    el.querySelectorAll("[data-live-loaded][id]").forEach(function (old) { keep[old.id] = old; });
    el.innerHTML = html;
    Object.keys(keep).forEach(function (id) {
      var twin = document.getElementById(id);
      if (twin && el.contains(twin)) twin.replaceWith(keep[id]);
    });
  }

  function contentFor(el, html) {
    var select = el.dataset.liveSelect;
    if (!select) return html;
    var doc = new DOMParser().parseFromString(html, "text/html");
    var part = doc.querySelector(select);
    return part ? part.innerHTML : null;
  }

  function refresh(el) {
    var url = urlOf(el);
    if (!url || el._liveLoading) { el._liveAgain = !!url; return; }
    if (busy(el)) {
      if (!el._liveWaiting) {
        el._liveWaiting = true;
        var events = [["focusout", true], ["selectionchange", false], ["click", true],
                      ["change", true], ["htmx:afterSettle", false], ["keyup", true]];
        var resume = function () {
          setTimeout(function () {
            if (!el._liveWaiting || busy(el)) return;
            events.forEach(function (e) { document.removeEventListener(e[0], resume, e[1]); });
            el._liveWaiting = false;
            refresh(el);
          }, 50);
        };
        events.forEach(function (e) { document.addEventListener(e[0], resume, e[1]); });
      }
      return;
    }
    el._liveLoading = true;
    el._liveLast = Date.now();
    fetchOnce(urlOf(el), !el.dataset.liveSelect)
      .then(function (html) {
        if (html !== null) html = contentFor(el, html);
        if (html !== null && !busy(el)) {
          swapIn(el, html);
          if (window.htmx) window.htmx.process(el);
          el.dispatchEvent(new CustomEvent("tuki:live-refreshed", { bubbles: true }));
        } else if (html !== null) {
          el._liveAgain = true;
        }
      })
      .catch(function () {})
      .then(function () {
        el._liveLoading = false;
        if (el._liveAgain) { el._liveAgain = false; schedule(el); }
      });
  }

  function schedule(el) {
    // Leading edge at once (within a second of the change), then at most one refresh per
    // data-live-throttle ms (default 300): a burst of changes is one or two fetches.
    var throttle = parseInt(el.dataset.liveThrottle || "300", 10);
    var wait = Math.max(0, (el._liveLast || 0) + throttle - Date.now());
    if (el._liveTimer) return;
    el._liveTimer = setTimeout(function () { el._liveTimer = null; refresh(el); }, wait || 30);
  }

  function bind(el) {
    if (el._liveBound) return;
    el._liveBound = true;
    var kinds = (el.dataset.liveKinds || "").split(/\s+/).filter(Boolean);
    var offs = (el.dataset.liveTopics || "").split(/\s+/).filter(Boolean).map(function (topic) {
      return subscribe(topic, function (msg) {
        if (kinds.length && kinds.indexOf(msg.kind) < 0) return;
        if (msg.kind === "typing" || msg.kind === "stopped" || msg.kind === "viewing" ||
            msg.kind === "writing" || msg.kind === "left") {
          if (!kinds.length) return;  // signals refresh only elements asking for them
        }
        if (el.dataset.liveSkipOwn && msg.data && String(msg.data.actor) === me) return;
        schedule(el);
      });
    });
    el._liveOff = function () { offs.forEach(function (off) { off(); }); };
  }

  function refreshAll() {
    document.querySelectorAll("[data-live-topics][data-live-url]").forEach(schedule);
  }

  function scan(root) {
    (root || document).querySelectorAll("[data-live-topics]").forEach(bind);
    (root || document).querySelectorAll("[data-presence-topic]").forEach(presence);
  }

  // --- presence ----------------------------------------------------------------------------
  function presence(el) {
    if (el._presenceBound) return;
    el._presenceBound = true;
    var topic = el.dataset.presenceTopic;
    var others = {}; // user id -> {name, state, seen}
    var state = "viewing";
    var idle = null;
    var labels = {
      viewing: el.dataset.labelViewing || "viewing",
      writing: el.dataset.labelWriting || "writing",
      intro: el.dataset.labelIntro || "Also here:"
    };

    function render() {
      var now = Date.now();
      var names = [];
      Object.keys(others).forEach(function (id) {
        var o = others[id];
        if (now - o.seen > 50000) { delete others[id]; return; }
        names.push(o);
      });
      el.textContent = "";
      el.hidden = !names.length;
      if (!names.length) return;
      var intro = document.createElement("span");
      intro.className = "me-1";
      intro.textContent = labels.intro;
      el.appendChild(intro);
      names.forEach(function (o, i) {
        var badge = document.createElement("span");
        badge.className = "badge rounded-pill me-1 " + (o.state === "writing" ? "text-bg-warning" : "text-bg-light border");
        badge.textContent = o.name + " · " + (o.state === "writing" ? labels.writing : labels.viewing);
        badge.dataset.user = o.user;
        badge.dataset.state = o.state;
        el.appendChild(badge);
      });
    }

    subscribe(topic, function (msg) {
      var d = msg.data || {};
      if (!d.user || String(d.user) === me) return;
      if (msg.kind === "left") { delete others[d.user]; render(); return; }
      if (msg.kind !== "viewing" && msg.kind !== "writing") return;
      var known = !!others[d.user];
      others[d.user] = { user: d.user, name: d.name, state: msg.kind, seen: Date.now() };
      render();
      if (!known) signal(topic, state, true);  // a newcomer: tell them we are here too
    });

    function setState(next) {
      if (next !== state) { state = next; signal(topic, state, true); }
    }
    var form = el.closest("[data-presence-scope]") || document;
    form.addEventListener("input", function (e) {
      if (!e.target.matches("input, textarea, select, [contenteditable]")) return;
      setState("writing");
      clearTimeout(idle);
      idle = setTimeout(function () { setState("viewing"); }, 10000);
    });
    whenOpen(function () { signal(topic, state, true); });
    setInterval(function () { signal(topic, state, true); render(); }, 20000);
    window.addEventListener("pagehide", function () { signal(topic, "left", true); });
  }

  window.TukiLive = { subscribe: subscribe, signal: signal, scan: scan, refresh: refresh };

  scan(document);
  document.addEventListener("htmx:afterSwap", function (e) {
    // A part that loaded itself (hx-trigger="load") is marked so a refresh keeps it.
    var target = e.detail && e.detail.target;
    if (target && target.id && target.getAttribute("hx-trigger") === "load") {
      target.setAttribute("data-live-loaded", "");
    }
    scan(e.target);
  });
  if (mode === "poll") schedulePoll();
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && mode === "poll" && pollTimer) {
      clearTimeout(pollTimer); pollTimer = null; poll();
    }
  });
})();
