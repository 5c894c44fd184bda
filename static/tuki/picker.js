// Search-as-you-type for selects that name a person, an organisation or a configuration item
// (custom fields: tuki/tickets/fields_forms.py, ReferencePicker). The select keeps the value
// and is what the form sends; a search box above it asks `data-picker-url` for matches
// (JSON {results: [{value, label}]}) and puts them in the select. Delegated from the document,
// so fragments htmx swaps in later get it too. No inline script: the CSP forbids it.
(() => {
  const DELAY = 250;

  function enhance(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    const box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.dataset.pickerPlaceholder || "";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-label", select.dataset.pickerPlaceholder || "");
    if (select.id) box.id = `${select.id}-search`;
    select.parentNode.insertBefore(box, select);
    let timer = null;
    let asked = 0;
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const text = box.value.trim();
        if (!text) return;
        const ticket = ++asked;
        const url = select.dataset.pickerUrl;
        const joiner = url.includes("?") ? "&" : "?";
        let body;
        try {
          const response = await fetch(`${url}${joiner}q=${encodeURIComponent(text)}`, {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          });
          if (!response.ok) return;
          body = await response.json();
        } catch (error) {
          return;
        }
        if (ticket !== asked) return; // a newer search answered first
        const keep = Array.from(select.options).filter((o) => o.value === "" || o.selected);
        select.replaceChildren(...keep);
        for (const row of body.results) {
          if (keep.some((o) => o.value === row.value)) continue;
          select.add(new Option(row.label, row.value));
        }
        select.size = Math.min(select.options.length, 6);
      }, DELAY);
    });
    select.addEventListener("change", () => { select.size = 0; });
  }

  function scan(root) {
    root.querySelectorAll("select[data-picker-url]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:load", (event) => scan(event.detail.elt.parentNode || document));
})();
