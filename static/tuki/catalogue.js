// The catalogue forms' conditions (tuki/catalogue/conditions.py is the same evaluator in
// Python; tuki/catalogue/tests/condition_cases.json holds the cases both must agree on).
// An order form <form data-catalogue-form> has one <div data-catalogue-field="KEY"
// data-required="0|1"> per question and the conditions in the json_script named by
// data-conditions: [{"key": ..., "condition": {...}, "required": bool}, ...] in form order.
(() => {
  const NUMBER = /^-?\d+(\.\d+)?$/;

  function isEmpty(value) {
    return value === null || value === undefined || value === false || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function number(value) {
    if (typeof value === "boolean") return null;
    if (typeof value === "number") return value;
    if (typeof value === "string" && NUMBER.test(value.trim())) return parseFloat(value.trim());
    return null;
  }

  function text(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "boolean") return value ? "true" : "false";
    return String(value).trim();
  }

  function equal(a, b) {
    if (Array.isArray(a)) return a.some((item) => equal(item, b));
    const na = number(a), nb = number(b);
    if (na !== null && nb !== null) return na === nb;
    return text(a) === text(b);
  }

  function order(a, b) {
    if (isEmpty(a) || Array.isArray(a)) return null;
    const na = number(a), nb = number(b);
    if (na !== null && nb !== null) return (na > nb) - (na < nb);
    if (na !== null || nb !== null) return null;
    const ta = text(a), tb = text(b);
    return (ta > tb) - (ta < tb);
  }

  function checkRule(rule, values) {
    const actual = values[String(rule.field)];
    const op = rule.op, operand = rule.value;
    if (op === "empty") return isEmpty(actual);
    if (op === "not_empty") return !isEmpty(actual);
    if (op === "eq") return equal(actual, operand);
    if (op === "ne") return !equal(actual, operand);
    if (op === "in" || op === "not_in") {
      const operands = Array.isArray(operand) ? operand : [operand];
      const found = operands.some((o) => equal(actual, o));
      return op === "in" ? found : !found;
    }
    if (op === "gt" || op === "lt") {
      const result = order(actual, operand);
      return result !== null && result === (op === "gt" ? 1 : -1);
    }
    if (op === "contains") {
      if (Array.isArray(actual)) return equal(actual, operand);
      if (isEmpty(actual)) return false;
      return text(actual).toLowerCase().includes(text(operand).toLowerCase());
    }
    return false;
  }

  function holds(condition, values) {
    condition = condition || {};
    if ("any" in condition) return (condition.any || []).some((r) => checkRule(r, values));
    return (condition.all || []).every((r) => checkRule(r, values));
  }

  function state(condition, required, values) {
    condition = condition || {};
    const effect = condition.effect || "show";
    const rules = condition.all || condition.any;
    if (!rules || rules.length === 0) return { shown: true, required: !!required };
    const result = holds(condition, values);
    if (effect === "hide") return { shown: !result, required: !!required && !result };
    if (effect === "require") return { shown: true, required: !!required || result };
    return { shown: result, required: !!required && result };
  }

  function resolve(fields, values) {
    const known = Object.assign({}, values);
    const states = {};
    for (const [key, condition, required] of fields) {
      states[key] = state(condition, required, known);
      if (!states[key].shown) delete known[key];
    }
    return states;
  }

  window.tukiConditions = { checkRule, holds, state, resolve, isEmpty };

  // --- the order form ------------------------------------------------------------------

  function valueOf(box) {
    const inputs = Array.from(box.querySelectorAll("input, select, textarea"));
    if (inputs.length === 0) return null;
    const first = inputs[0];
    if (first.type === "checkbox" && inputs.length === 1) return first.checked;
    if (first.type === "checkbox" || first.type === "radio") {
      const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
      return first.type === "radio" ? (chosen[0] || "") : chosen;
    }
    if (first.tagName === "SELECT" && first.multiple) {
      return Array.from(first.selectedOptions).map((o) => o.value);
    }
    return first.value;
  }

  function apply(form) {
    const source = document.getElementById(form.dataset.conditions);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const boxes = {};
    form.querySelectorAll("[data-catalogue-field]").forEach((box) => {
      boxes[box.dataset.catalogueField] = box;
    });
    const values = {};
    for (const key of Object.keys(boxes)) values[key] = valueOf(boxes[key]);
    const states = resolve(spec.map((f) => [f.key, f.condition, f.required]), values);
    for (const [key, st] of Object.entries(states)) {
      const box = boxes[key];
      if (!box) continue;
      box.hidden = !st.shown;
      box.classList.toggle("catalogue-required", st.required);
      box.querySelectorAll("input, select, textarea").forEach((input) => {
        input.disabled = !st.shown;
      });
    }
    form.querySelectorAll("[data-catalogue-section]").forEach((section) => {
      const visible = section.querySelector("[data-catalogue-field]:not([hidden])");
      section.hidden = !visible;
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-catalogue-form]").forEach((form) => {
      if (form.dataset.catalogueReady) return;
      form.dataset.catalogueReady = "1";
      form.addEventListener("input", () => apply(form));
      form.addEventListener("change", () => apply(form));
      apply(form);
    });
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSwap", (event) => init(event.target));
})();
