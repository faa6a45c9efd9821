"""The public JSON API: its OpenAPI schema at /api/openapi.json, its documentation page at /api/docs."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from essor.core.page_cache import public_page


class EssorSwagger(DocsBase):
    """The API's documentation page: Essor's own page (French, with its header and footer) around
    Swagger UI, whose initializer is a static file (essor/static/js/api-docs.js)."""

    def render_page(self, request, api, **kwargs):
        return _docs_page(request, self.get_openapi_url(api, kwargs))


@public_page()  # changes with the code only
def _docs_page(request, openapi_url: str):
    return render(request, "api/docs.html", {"openapi_url": openapi_url})


class EssorAPI(NinjaAPI):
    """The OpenAPI schema is built from the code alone (its routes and types): once per process
    and URL prefix, instead of at each request of /api/openapi.json (12 ms)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schemas = self.__dict__.setdefault("_essor_schemas", {})
        if path_prefix not in schemas:
            schemas[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return schemas[path_prefix]


api = EssorAPI(
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
