/*
 * Maps of areas with Leaflet: draws the GeoJSON of a gemeente, wijk or gebied.
 *
 * Every <div data-area-map> carries what it needs in data- attributes: the GeoJSON URL
 * (without zoom), the bounding box, the page URL pattern for a click, the code to
 * highlight and the base map tile URL. Without a tile URL, or when tiles cannot be
 * reached, the areas are still drawn. The table beside the map holds the same areas for
 * keyboard and screen reader users.
 *
 * ``WijkkoersMap.draw(element, options)`` is the drawing itself, shared with the score
 * map (scores/scoremap.js): options ``style(feature)``, ``tooltip(properties)``,
 * ``hover`` (a style), ``attribution`` (show Leaflet's attribution) and ``keyboard``
 * (areas reachable with Tab, Enter opens them).
 */
(function () {
  "use strict";

  function bandFor(zoom) {
    if (zoom <= 9) return "land";
    if (zoom <= 11) return "regio";
    return "stad";
  }

  // Leaflet shows a string tooltip as HTML; names typed by people (a gebied, a complex)
  // must show as the text they are, so a tooltip is always a text node.
  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function draw(element, options) {
    if (element.dataset.mapReady) return null;
    element.dataset.mapReady = "1";
    var status = element.parentNode.querySelector("[data-map-status]");
    var map = L.map(element, { zoomSnap: 0.5, attributionControl: Boolean(options.attribution) });
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

    function open(feature) {
      window.location.href = element.dataset.areaUrl.replace("CODE", encodeURIComponent(feature.properties.code));
    }

    function onEachFeature(feature, shape) {
      var text = options.tooltip(feature.properties);
      shape.bindTooltip(textTooltip(text), { sticky: true });
      shape.on("mouseover", function () { shape.setStyle(options.hover); });
      shape.on("mouseout", function () { layer.resetStyle(shape); });
      shape.on("click", function () { open(feature); });
      if (!options.keyboard) return;
      shape.on("add", function () {
        var path = shape.getElement && shape.getElement();
        if (!path) return;
        // Areas are reachable with Tab; Enter opens them, like a link.
        path.setAttribute("tabindex", "0");
        path.setAttribute("role", "link");
        path.setAttribute("aria-label", text);
        path.addEventListener("keydown", function (event) {
          if (event.key === "Enter") open(feature);
        });
        path.addEventListener("focus", function () { shape.setStyle(options.hover); shape.openTooltip(); });
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
          var next = L.geoJSON(data, { style: options.style, onEachFeature: onEachFeature });
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
    return map;
  }

  window.WijkkoersMap = { draw: draw, textTooltip: textTooltip };

  var STYLE = { color: "#154273", weight: 1, fillColor: "#8fcae7", fillOpacity: 0.35 };
  var HIGHLIGHT = { color: "#b3001e", weight: 3, fillColor: "#f9c5ce", fillOpacity: 0.55 };

  // Classes of the stylesheet per area code (a map that colours areas by a class, such as
  // the urgency map), from the JSON block named by data-area-classes.
  function areaClasses(element) {
    var source = element.dataset.areaClasses && document.getElementById(element.dataset.areaClasses);
    return source ? JSON.parse(source.textContent) : {};
  }

  function initAreaMap(element) {
    var highlight = element.dataset.highlight || "";
    var classes = areaClasses(element);
    draw(element, {
      attribution: true,
      hover: { weight: 3, fillOpacity: 0.55 },
      style: function (feature) {
        var code = feature.properties.code;
        var style = L.extend({}, code === highlight ? HIGHLIGHT : STYLE);
        style.className = "wk-area wk-area-" + code + (classes[code] ? " " + classes[code] : "");
        return style;
      },
      tooltip: function (props) { return props.name + " (" + props.code + ")"; },
    });
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-area-map]").forEach(initAreaMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
