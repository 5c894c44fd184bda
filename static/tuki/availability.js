// Availability filters: choosing a date means a custom period (templates/availability/partials/period.html).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-period-select]").forEach((input) => {
    input.addEventListener("change", () => {
      const select = document.getElementById(input.dataset.periodSelect);
      if (select) select.value = "custom";
    });
  });
});
