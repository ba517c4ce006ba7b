/*
 * A filter box above a long <select multiple data-choice-filter="label">: typing narrows
 * the options to those whose text (or group name) holds every typed word, in any case and
 * without regard to accents. Chosen options always stay in view, and a line under the list
 * names what is chosen, since a scrolled list hides it. The texts come from the data-
 * attributes, so they follow the page's language. Without JavaScript the select is a
 * plain multi-select.
 */
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    var wrap = document.createElement("div");
    wrap.className = "wk-choice-filter";
    var label = document.createElement("label");
    label.className = "utrecht-form-label wk-small";
    label.htmlFor = select.id + "-filter";
    label.textContent = select.dataset.choiceFilter;
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "utrecht-textbox utrecht-textbox--html-input";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    wrap.appendChild(label);
    wrap.appendChild(input);
    select.parentNode.insertBefore(wrap, select);

    var summary = document.createElement("p");
    summary.className = "utrecht-paragraph wk-muted wk-small wk-choice-summary";
    summary.setAttribute("role", "status");
    summary.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(summary, select.nextSibling);

    function filter() {
      var words = normalise(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
        var text = normalise(option.text + " " + group);
        var match = option.selected || words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) shown += 1;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      return shown;
    }

    function describe(shown) {
      var chosen = Array.prototype.filter.call(select.options, function (option) { return option.selected; });
      var text = chosen.length
        ? select.dataset.chosenLabel + " (" + chosen.length + "): " + chosen.map(function (option) { return option.text; }).join("; ")
        : select.dataset.noneLabel;
      if (shown === 0) text = select.dataset.emptyLabel + " " + text;
      summary.textContent = text;
    }

    input.addEventListener("input", function () { describe(filter()); });
    input.addEventListener("keydown", function (event) {
      // Enter in the filter box narrows the list; it must not send the form.
      if (event.key === "Enter") event.preventDefault();
    });
    select.addEventListener("change", function () { describe(select.options.length); });
    describe(select.options.length);
  }

  document.querySelectorAll("select[multiple][data-choice-filter]").forEach(enhance);
})();
