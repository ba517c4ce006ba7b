/*
 * The intervention form: the organisation chosen as trekker is not offered as a partner.
 * Its checkbox is hidden and unticked while it is the trekker (and ticked again if it was
 * ticked before and another trekker is chosen). Without JavaScript every team organisation
 * is offered, and the server explains when the trekker is also ticked as a partner.
 */
(function () {
  "use strict";

  var lead = document.querySelector('select[name="lead_organisation"]');
  var group = document.querySelector('[data-choice-group="partner_organisations"]');
  if (!lead || !group) return;

  function update() {
    group.querySelectorAll("[data-choice-value]").forEach(function (item) {
      var box = item.querySelector('input[type="checkbox"]');
      var isLead = lead.value !== "" && item.dataset.choiceValue === lead.value;
      if (isLead && !item.hidden) {
        item.dataset.wasChecked = box.checked ? "1" : "";
        box.checked = false;
      } else if (!isLead && item.hidden) {
        box.checked = item.dataset.wasChecked === "1";
      }
      item.hidden = isLead;
    });
  }

  lead.addEventListener("change", update);
  update();
})();
