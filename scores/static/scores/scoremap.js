/*
 * Score maps: draws the scored GeoJSON of scores.api.geojson with Leaflet, each area in
 * the colour of its class, without a base map (the map works offline). A tooltip gives
 * name, value and class; a click (or Enter on a focused area) opens the area's page. The
 * legend and the table beside the map are rendered by the server and hold the same data
 * for keyboard and screen reader users.
 */
(function () {
  "use strict";

  function bandFor(zoom) {
    if (zoom <= 9) return "land";
    if (zoom <= 11) return "regio";
    return "stad";
  }

  var NO_DATA = "#d9d9d9";
  var HOVER = { weight: 3, color: "#000000" };

  function formatNumber(value) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(document.documentElement.lang || "nl", { maximumFractionDigits: 2 });
  }

  function initMap(element) {
    if (element.dataset.mapReady) return;
    element.dataset.mapReady = "1";
    var status = element.parentNode.querySelector("[data-map-status]");
    var isChange = element.dataset.change === "1";
    // A signal's value is only the number of its cell: the class name says it all.
    var isSignal = element.dataset.signal === "1";
    var unit = element.dataset.unit ? " " + element.dataset.unit : "";
    var map = L.map(element, { zoomSnap: 0.5, attributionControl: false });
    element.wkMap = map;

    var box = (element.dataset.bbox || "").split(",").map(Number);
    var hasBox = box.length === 4 && box.every(isFinite);
    if (hasBox) {
      map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { padding: [8, 8] });
    } else {
      map.setView([52.2, 5.3], 7);
    }

    var layer = null;
    var band = null;
    var request = 0;
    var fitted = hasBox;

    function styleFor(feature) {
      var props = feature.properties;
      return {
        color: "#154273",
        weight: 1,
        fillColor: props.color || NO_DATA,
        fillOpacity: 0.8,
        className: "wk-score-area wk-area-" + props.code,
      };
    }

    function tooltip(props) {
      var text = props.name + " (" + props.code + ")";
      if (isSignal) {
        text += props.label ? ": " + props.label : "";
        return text;
      }
      if (isChange) {
        text += ": " + (props.change === null || props.change === undefined ? "—" : (props.change > 0 ? "+" : "") + formatNumber(props.change));
      } else {
        text += ": " + formatNumber(props.value) + (props.value === null || props.value === undefined ? "" : unit);
      }
      if (props.label) text += " · " + props.label;
      return text;
    }

    function open(feature) {
      window.location.href = element.dataset.areaUrl.replace("CODE", encodeURIComponent(feature.properties.code));
    }

    function onEachFeature(feature, shape) {
      shape.bindTooltip(tooltip(feature.properties), { sticky: true });
      shape.on("mouseover", function () { shape.setStyle(HOVER); });
      shape.on("mouseout", function () { layer.resetStyle(shape); });
      shape.on("click", function () { open(feature); });
      shape.on("add", function () {
        var path = shape.getElement && shape.getElement();
        if (!path) return;
        // Areas are reachable with Tab; Enter opens them, like a link.
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "link");
        path.setAttribute("aria-label", tooltip(feature.properties));
        path.addEventListener("keydown", function (event) {
          if (event.key === "Enter") open(feature);
        });
        path.addEventListener("focus", function () { shape.setStyle(HOVER); shape.openTooltip(); });
        path.addEventListener("blur", function () { layer.resetStyle(shape); shape.closeTooltip(); });
      });
    }

    function load() {
      var zoom = Math.round(map.getZoom());
      var wanted = bandFor(zoom);
      if (wanted === band) return;
      band = wanted;
      var mine = ++request;
      element.setAttribute("aria-busy", "true");
      fetch(element.dataset.geojsonUrl + "&zoom=" + zoom, {
        credentials: "same-origin",
        headers: { Accept: "application/geo+json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (mine !== request) return;
          var next = L.geoJSON(data, { style: styleFor, onEachFeature: onEachFeature });
          if (layer) map.removeLayer(layer);
          layer = next.addTo(map);
          if (!fitted) {
            var bounds = layer.getBounds();
            if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
            fitted = true;
          }
          element.dataset.features = String(data.features.length);
          element.dataset.band = wanted;
          element.removeAttribute("aria-busy");
          if (status) status.textContent = "";
        })
        .catch(function () {
          band = null;
          element.removeAttribute("aria-busy");
          if (status) status.textContent = "De kaart kon niet worden geladen; de tabel bevat dezelfde gegevens.";
        });
    }

    map.on("zoomend", load);
    load();
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-score-map]").forEach(initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
