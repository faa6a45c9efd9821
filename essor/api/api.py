"""The public JSON API; its OpenAPI schema is served at /api/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="API Essor",
    version="1.0.0",
    description="Données ouvertes de l'annuaire de l'ESS du territoire.",
    urls_namespace="api",
    # The interactive page would load Swagger UI from a CDN, which the CSP forbids: the schema
    # itself (/api/openapi.json) is the documentation.
    docs_url=None,
)

from essor.directory.api import router as directory_router  # noqa: E402

api.add_router("/annuaire/", directory_router)
