// Starts Swagger UI (from the swagger-ui-dist npm package) on the API documentation page, with the
// schema whose address the page gives: a static file, since the Content-Security-Policy forbids
// inline scripts.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui");
  if (!container || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: container.dataset.openapiUrl,
    domNode: container,
    deepLinking: false,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
