/*
 * Area maps: draws the GeoJSON of a gemeente, wijk or gebied with Leaflet.
 *
 * Every <div data-area-map> carries what it needs in data- attributes: the GeoJSON URL
 * (without zoom), the bounding box, the page URL pattern for a click, the code to
 * highlight and the base map tile URL. Without a tile URL, or when tiles cannot be
 * reached, the areas are still drawn. The table beside the map holds the same areas for
 * keyboard and screen reader users.
 */
(function () {
  "use strict";

  function bandFor(zoom) {
    if (zoom <= 9) return "land";
    if (zoom <= 11) return "regio";
    return "stad";
  }

  var STYLE = { color: "#154273", weight: 1, fillColor: "#8fcae7", fillOpacity: 0.35 };
  var HIGHLIGHT = { color: "#b3001e", weight: 3, fillColor: "#f9c5ce", fillOpacity: 0.55 };
  var HOVER = { weight: 3, fillOpacity: 0.55 };

  function initMap(element) {
    if (element.dataset.mapReady) return;
    element.dataset.mapReady = "1";
    var status = element.parentNode.querySelector("[data-map-status]");
    var highlight = element.dataset.highlight || "";
    var map = L.map(element, { zoomSnap: 0.5, attributionControl: true });
    element.wkMap = map;

    var tileUrl = element.dataset.tileUrl || "";
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        attribution: element.dataset.tileAttribution || "",
        maxZoom: 19,
        minZoom: 6,
      }).addTo(map);
    }

    var box = (element.dataset.bbox || "").split(",").map(Number);
    if (box.length === 4 && box.every(isFinite)) {
      map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { padding: [8, 8] });
    } else {
      map.setView([52.2, 5.3], 7);
    }

    var layer = null;
    var band = null;
    var request = 0;

    function styleFor(feature) {
      var own = feature.properties.code === highlight;
      var style = L.extend({}, own ? HIGHLIGHT : STYLE);
      style.className = "wk-area wk-area-" + feature.properties.code;
      return style;
    }

    function onEachFeature(feature, shape) {
      shape.bindTooltip(feature.properties.name + " (" + feature.properties.code + ")", { sticky: true });
      shape.on("mouseover", function () { shape.setStyle(HOVER); });
      shape.on("mouseout", function () { layer.resetStyle(shape); });
      shape.on("click", function () {
        window.location.href = element.dataset.areaUrl.replace("CODE", encodeURIComponent(feature.properties.code));
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
          if (!box.length || box.length !== 4) {
            var bounds = layer.getBounds();
            if (bounds.isValid()) map.fitBounds(bounds);
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
    document.querySelectorAll("[data-area-map]").forEach(initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
