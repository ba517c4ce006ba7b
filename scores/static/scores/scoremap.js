/*
 * Score maps: draws the scored GeoJSON of scores.api.geojson with the shared area map
 * (areas/map.js, WijkkoersMap.draw), each area in the colour of its class, without a base
 * map (the map works offline). A tooltip gives name, value and class; a click (or Enter
 * on a focused area) opens the area's page. The legend and the table beside the map are
 * rendered by the server and hold the same data for keyboard and screen reader users.
 */
(function () {
  "use strict";

  var NO_DATA = "#d9d9d9";

  function formatNumber(value) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(document.documentElement.lang || "nl", { maximumFractionDigits: 2 });
  }

  function initMap(element) {
    var isChange = element.dataset.change === "1";
    // A signal's value is only the number of its cell: the class name says it all.
    var isSignal = element.dataset.signal === "1";
    var unit = element.dataset.unit ? " " + element.dataset.unit : "";

    function tooltip(props) {
      var text = props.name + " (" + props.code + ")";
      if (isSignal) {
        return text + (props.label ? ": " + props.label : "");
      }
      if (isChange) {
        text += ": " + (props.change === null || props.change === undefined ? "—" : (props.change > 0 ? "+" : "") + formatNumber(props.change));
      } else {
        text += ": " + formatNumber(props.value) + (props.value === null || props.value === undefined ? "" : unit);
      }
      if (props.label) text += " · " + props.label;
      return text;
    }

    window.WijkkoersMap.draw(element, {
      attribution: false,
      keyboard: true,
      hover: { weight: 3, color: "#000000" },
      style: function (feature) {
        var props = feature.properties;
        return {
          color: "#154273",
          weight: 1,
          fillColor: props.color || NO_DATA,
          fillOpacity: 0.8,
          className: "wk-score-area wk-area-" + props.code,
        };
      },
      tooltip: tooltip,
    });
  }

  function start() {
    if (typeof L === "undefined" || !window.WijkkoersMap) return;
    document.querySelectorAll("[data-score-map]").forEach(initMap);
  }

  // Deferred scripts run in document order, all before DOMContentLoaded. A section of an
  // area page loads this file before the page loads Leaflet and areas/map.js, so then it
  // waits for the document to be ready.
  if (document.readyState === "loading" || typeof L === "undefined" || !window.WijkkoersMap) {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
