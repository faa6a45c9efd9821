/* Maps of the public directory (progressive enhancement: the list stays the reference).
 * - #directory-map: results of the search, loaded as GeoJSON from data-geojson-url with the
 *   visible bounding box, clustered with leaflet.markercluster.
 * - #organisation-map: establishments of one organisation, read from a json_script element.
 * No inline script or style (CSP): settings come from data- attributes. */
(function () {
  "use strict";

  var DEFAULT_CENTER = [51.02, 2.3];
  var DEFAULT_ZOOM = 11;
  // People who ask their system for less motion get a map that jumps instead of gliding.
  var ANIMATE = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

  function baseMap(element) {
    element.hidden = false;
    var map = L.map(element, {
      scrollWheelZoom: false,
      zoomAnimation: ANIMATE,
      fadeAnimation: ANIMATE,
      markerZoomAnimation: ANIMATE,
      zoomControl: false,
    }).setView(DEFAULT_CENTER, DEFAULT_ZOOM);
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
    var title = document.createElement(url ? "a" : "strong");
    title.textContent = name;
    if (url) { title.href = url; }
    box.appendChild(title);
    if (city) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(city));
    }
    return box;
  }

  function withParameter(url, name, value) {
    return url + (url.indexOf("?") === -1 ? "?" : "&") + name + "=" + encodeURIComponent(value);
  }

  function searchMap(element) {
    var map = baseMap(element);
    var cluster = L.markerClusterGroup({ animate: ANIMATE });
    map.addLayer(cluster);
    var status = document.getElementById("directory-map-status");
    var organisationUrl = element.dataset.organisationUrl;
    var firstLoad = true;
    var pending = null;

    function show(collection) {
      cluster.clearLayers();
      var markers = collection.features.map(function (feature) {
        var coordinates = feature.geometry.coordinates;
        var url = organisationUrl.replace("/0/", "/" + feature.properties.organisation + "/");
        return L.marker([coordinates[1], coordinates[0]], {
          title: feature.properties.name,
          alt: feature.properties.name,
        })
          .bindPopup(popup(feature.properties.name, feature.properties.city, url));
      });
      cluster.addLayers(markers);
      if (status) {
        status.hidden = !collection.truncated;
        status.textContent = collection.truncated
          ? "La carte n'affiche qu'une partie des résultats : zoomez ou précisez votre recherche."
          : "";
      }
      return markers;
    }

    function load() {
      var url = element.dataset.geojsonUrl;
      if (!firstLoad) { url = withParameter(url, "bbox", map.getBounds().toBBoxString()); }
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (collection) {
          var markers = show(collection);
          if (firstLoad) {
            firstLoad = false;
            if (markers.length && !collection.truncated) {
              map.fitBounds(L.featureGroup(markers).getBounds(), { maxZoom: 15, padding: [20, 20] });
            }
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && status) {
            status.hidden = false;
            status.textContent = "La carte n'a pas pu être chargée ; la liste reste disponible.";
          }
        });
    }

    map.on("moveend", function () { if (!firstLoad) { load(); } });
    load();
  }

  function organisationMap(element) {
    var source = document.getElementById(element.dataset.points);
    var points = source ? JSON.parse(source.textContent) : [];
    if (!points.length) { return; }
    var map = baseMap(element);
    var markers = points.map(function (point) {
      return L.marker([point.lat, point.lon], { title: point.name, alt: point.name })
        .bindPopup(popup(point.name, point.city, null))
        .addTo(map);
    });
    map.fitBounds(L.featureGroup(markers).getBounds(), { maxZoom: 15, padding: [20, 20] });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    var search = document.getElementById("directory-map");
    if (search && L.markerClusterGroup) { searchMap(search); }
    var organisation = document.getElementById("organisation-map");
    if (organisation) { organisationMap(organisation); }
  });
})();
