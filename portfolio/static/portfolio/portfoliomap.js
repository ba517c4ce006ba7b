/*
 * The portfolio map: the buurten coloured by their score (the scored GeoJSON of
 * scores.api.geojson, drawn with the shared area map, areas/map.js) and the complexes as
 * points coloured by strategy (the complexes GeoJSON of the portfolio API). No base map:
 * the map works offline. The table beside the map holds the same complexes.
 */
(function () {
  "use strict";

  var NO_DATA = "#d9d9d9";

  function addComplexes(map, element) {
    var url = element.dataset.complexUrl;
    if (!url) return;
    var status = element.parentNode.querySelector("[data-map-status]");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, {
              radius: 6,
              color: "#000000",
              weight: 1,
              fillColor: feature.properties.color,
              fillOpacity: 0.95,
              className: "wk-complex",
            });
          },
          onEachFeature: function (feature, marker) {
            var p = feature.properties;
            marker.bindTooltip(
              window.WijkkoersMap.textTooltip(
                p.number + " " + p.name + " · " + p.strategy_label + " · " + p.dwellings + " woningen"
              )
            );
            marker.on("click", function () {
              window.location.href = element.dataset.detailUrl.replace("/0/", "/" + feature.id + "/");
            });
          },
        }).addTo(map);
        element.dataset.complexes = String(data.features.length);
        if (!element.dataset.geojsonUrl) {
          var bounds = layer.getBounds();
          if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
        }
      })
      .catch(function () {
        if (status) status.textContent = "De complexen konden niet worden geladen; de tabel bevat dezelfde gegevens.";
      });
  }

  function initMap(element) {
    var map;
    if (element.dataset.geojsonUrl) {
      map = window.WijkkoersMap.draw(element, {
        attribution: false,
        keyboard: false,
        hover: { weight: 3, color: "#000000" },
        style: function (feature) {
          return {
            color: "#154273",
            weight: 1,
            fillColor: feature.properties.color || NO_DATA,
            fillOpacity: 0.55,
            className: "wk-score-area wk-area-" + feature.properties.code,
          };
        },
        tooltip: function (props) {
          return props.name + " (" + props.code + ")" + (props.label ? ": " + props.label : "");
        },
      });
    } else {
      map = L.map(element, { zoomSnap: 0.5, attributionControl: false });
      map.setView([52.45, 4.62], 12);
    }
    if (map) addComplexes(map, element);
  }

  function start() {
    if (typeof L === "undefined" || !window.WijkkoersMap) return;
    document.querySelectorAll("[data-portfolio-map]").forEach(initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
