"""The public JSON API: its OpenAPI schema at /api/openapi.json, its documentation page at /api/docs."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase


class EssorSwagger(DocsBase):
    """The API's documentation page: Essor's own page (French, with its header and footer) around
    Swagger UI, whose initializer is a static file (essor/static/js/api-docs.js)."""

    def render_page(self, request, api, **kwargs):
        return render(request, "api/docs.html", {"openapi_url": self.get_openapi_url(api, kwargs)})


api = NinjaAPI(
    title="API Essor",
    version="1.0.0",
    description="Données ouvertes de l'annuaire de l'ESS du territoire.",
    urls_namespace="api",
    # /api/docs: Swagger UI from the swagger-ui-dist npm package, served by Essor itself (ninja's
    # own page would load it from a CDN, which the CSP forbids).
    docs_url="/docs",
    docs=EssorSwagger(),
)

from essor.directory.api import router as directory_router  # noqa: E402

api.add_router("/annuaire/", directory_router)
