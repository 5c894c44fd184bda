// Behaviour shared by every page. The pages carry no inline script or event handler (a strict
// Content-Security-Policy forbids them, docs/development/style.md): elements ask for
// behaviour through data- attributes, and these listeners, delegated from the document, give
// it, also to fragments htmx swaps in later. The pages work without them.

// "/" focuses the search box.
document.addEventListener("keydown", (event) => {
  const tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
  if (event.key === "/") {
    const search = document.querySelector("input[type=search]");
    if (search) { event.preventDefault(); search.focus(); }
  }
});

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 500) alert(document.body.dataset.serverError);
});

// data-confirm="question" on a form or on its submit button: ask before sending.
document.addEventListener("submit", (event) => {
  const question = event.submitter?.dataset.confirm || event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// data-submit-shortcut on a form or a field: Ctrl+Enter (⌘+Enter) sends the form.
// data-escape-clicks="selector" on a form: Escape clicks that element inside it.
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    const holder = event.target.closest?.("[data-submit-shortcut]");
    const form = holder && (holder.tagName === "FORM" ? holder : holder.form);
    if (form) { event.preventDefault(); form.requestSubmit(); }
  }
  if (event.key === "Escape") {
    const holder = event.target.closest?.("[data-escape-clicks]");
    holder?.querySelector(holder.dataset.escapeClicks)?.click();
  }
});

// data-check-all="selector" on a checkbox: checks or clears every checkbox the selector finds.
document.addEventListener("change", (event) => {
  const selector = event.target.dataset?.checkAll;
  if (!selector) return;
  document.querySelectorAll(selector).forEach((box) => { box.checked = event.target.checked; });
});

// data-select-on-focus on an input: selects its text. data-copy-from="#id" on a button: copies
// that input's value to the clipboard.
document.addEventListener("focusin", (event) => {
  if (event.target.matches?.("[data-select-on-focus]")) event.target.select();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("[data-copy-from]");
  const source = button && document.querySelector(button.dataset.copyFrom);
  if (source && navigator.clipboard) navigator.clipboard.writeText(source.value);
});
