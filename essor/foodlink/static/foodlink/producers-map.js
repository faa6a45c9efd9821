/* Maps of the producers' guide (progressive enhancement: the list stays the reference).
 * - #producers-map: the guide's results, loaded as GeoJSON from data-geojson-url, clustered.
 * - #producer-map: one producer, position read from data-position (JSON).
 * No inline script or style (CSP); people who ask for less motion get no animation. */
(function () {
  "use strict";

  var DEFAULT_CENTER = [50.95, 2.4];
  var DEFAULT_ZOOM = 10;
  var ANIMATE = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

  function baseMap(element, center, zoom) {
    element.hidden = false;
    var map = L.map(element, {
      scrollWheelZoom: false,
      zoomAnimation: ANIMATE,
      fadeAnimation: ANIMATE,
      markerZoomAnimation: ANIMATE,
      zoomControl: false,
    }).setView(center, zoom);
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution,
      maxZoom: 19,
    }).addTo(map);
    // Leaflet's controls speak English: their titles are read aloud, so they are given in French.
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="Bibliothèque de cartes interactives">Leaflet</a>'
    );
    // So is the close button of a marker's bubble (« Close popup »).
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", "Fermer la bulle"); }
    });
    return map;
  }

  function popup(name, city, url) {
    var box = document.createElement("div");
    var title = document.createElement("a");
    title.textContent = name;
    title.href = url;
    box.appendChild(title);
    if (city) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(city));
    }
    return box;
  }

  function guideMap(element) {
    var map = baseMap(element, DEFAULT_CENTER, DEFAULT_ZOOM);
    var cluster = L.markerClusterGroup({ animate: ANIMATE });
    map.addLayer(cluster);
    var producerUrl = element.dataset.producerUrl;
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var markers = collection.features.map(function (feature) {
          var coordinates = feature.geometry.coordinates;
          var url = producerUrl.replace("/0/", "/" + feature.properties.producer + "/");
          return L.marker([coordinates[1], coordinates[0]], {
            title: feature.properties.name,
            alt: feature.properties.name,
          })
            .bindPopup(popup(feature.properties.name, feature.properties.city, url));
        });
        cluster.addLayers(markers);
        if (markers.length) {
          map.fitBounds(cluster.getBounds(), { padding: [20, 20], maxZoom: 13, animate: ANIMATE });
        }
      })
      .catch(function () { element.hidden = true; });
  }

  function producerMap(element) {
    var position = JSON.parse(element.dataset.position);
    var map = baseMap(element, [position.lat, position.lon], 12);
    L.marker([position.lat, position.lon], { title: position.name, alt: position.name }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    var guide = document.getElementById("producers-map");
    if (guide) { guideMap(guide); }
    var single = document.getElementById("producer-map");
    if (single) { producerMap(single); }
  });
})();
