"""Essor's own deployment checks (`manage.py check --deploy`): settings that let a production
instance start but leave it unsafe or broken. Each is an Error, so `check --deploy` fails."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0", "testserver"})  # noqa: S104


def _is_local(host: str) -> bool:
    host = host.strip().lower().lstrip(".")
    return host in LOCAL_HOSTS or host.endswith(".localhost")


@register(Tags.security, deploy=True)
def check_secret_key_is_not_public(app_configs, **kwargs):
    if settings.SECRET_KEY not in getattr(settings, "PUBLIC_SECRET_KEYS", ()):
        return []
    return [
        Error(
            "SECRET_KEY est une clé publiée (celle de .env.example ou la clé de développement "
            "d'Essor) : n'importe qui pourrait forger des sessions et des liens de "
            "réinitialisation de mot de passe.",
            hint=(
                "Générez une clé longue et aléatoire "
                '(python -c "import secrets; print(secrets.token_urlsafe(64))") et mettez-la '
                "dans SECRET_KEY (/etc/essor/essor.env)."
            ),
            id="essor.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    url = settings.SITE_URL or ""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.hostname and not _is_local(parts.hostname):
        return []
    return [
        Error(
            f"SITE_URL (« {url} ») n'est pas l'adresse publique de l'instance : les liens des "
            "courriels (invitations, réinitialisation de mot de passe, relances) mèneraient "
            "ailleurs.",
            hint="Définissez SITE_URL, par exemple SITE_URL=https://essor.example.org.",
            id="essor.E002",
        )
    ]


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs, **kwargs):
    if any(not _is_local(host) for host in settings.ALLOWED_HOSTS):
        return []
    return [
        Error(
            "ALLOWED_HOSTS ne contient aucun nom d'hôte public (seulement « "
            + ", ".join(settings.ALLOWED_HOSTS or ["vide"])
            + " ») : les visiteurs de l'instance recevraient une erreur 400.",
            hint=(
                "Définissez ALLOWED_HOSTS avec le nom servi, par exemple "
                "ALLOWED_HOSTS=essor.example.org (plusieurs noms séparés par des virgules)."
            ),
            id="essor.E003",
        )
    ]


@register(Tags.security, deploy=True)
def check_csrf_trusted_origins(app_configs, **kwargs):
    if settings.CSRF_TRUSTED_ORIGINS:
        return []
    return [
        Error(
            "CSRF_TRUSTED_ORIGINS est vide : l'origine HTTPS de l'instance doit y figurer pour "
            "que les formulaires envoyés à travers le proxy inverse soient acceptés.",
            hint=(
                "Définissez CSRF_TRUSTED_ORIGINS avec l'adresse publique, par exemple "
                "CSRF_TRUSTED_ORIGINS=https://essor.example.org."
            ),
            id="essor.E004",
        )
    ]
