"""The public JSON API; its OpenAPI schema is served at /api/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="API Essor",
    version="1.0.0",
    description="Données ouvertes de l'annuaire de l'ESS du territoire.",
    urls_namespace="api",
    docs_url="/docs",
)

from essor.directory.api import router as directory_router  # noqa: E402

api.add_router("/annuaire/", directory_router)
