"""Essor settings: every value comes from the environment (12-factor); see .env.example."""

import ipaddress
import os
import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_NAMED_ADDRESS = re.compile(r'^(?:"(?P<quoted>[^"]*)"|(?P<name>[^"<>]*?))\s*<(?P<address>[^<>]*)>$')


def env_admins(name: str = "ADMINS") -> list[tuple[str, str]]:
    """People to e-mail, from « Prénom Nom <adresse>, autre@example.org » (a name holding a
    comma between double quotes: « "Dupont, Jeanne" <j.dupont@example.org> »), as Django's
    ADMINS: (name, address) pairs. A piece that is not an address stops Essor at start-up."""
    pieces = re.findall(r'(?:"[^"]*"|[^,])+', os.environ.get(name, ""))
    people = []
    for piece in (piece.strip() for piece in pieces):
        if not piece:
            continue
        match = _NAMED_ADDRESS.match(piece)
        display, address = (
            ((match["quoted"] or match["name"] or "").strip(), match["address"].strip())
            if match
            else ("", piece)
        )
        try:
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(
                f"{name} : « {piece} » n'est pas une adresse électronique. Exemple : "
                f'{name}="Prénom Nom <prenom.nom@example.org>,autre@example.org" (un nom qui '
                "contient une virgule s'écrit entre guillemets)."
            ) from None
        people.append((display or address, address))
    return people


DEBUG = env_bool("DEBUG", False)
# ESSOR_PRODUCTION=1: this configuration is a production instance's (demo data refused even with
# DEBUG on); PRODUCTION: its strict settings apply (DEBUG off).
ESSOR_PRODUCTION = env_bool("ESSOR_PRODUCTION", False)
PRODUCTION = not DEBUG and ESSOR_PRODUCTION

# Keys anyone can read (the development default here, the example of .env.example): signing
# sessions and password-reset links with one of them lets anybody forge them.
DEVELOPMENT_SECRET_KEY = "essor-insecure-development-key-change-me-please-0123456789abcdef"  # noqa: S105
PUBLIC_SECRET_KEYS = frozenset(
    {DEVELOPMENT_SECRET_KEY, "change-me-to-a-long-random-string-of-at-least-50-characters"}
)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not DEBUG and not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY doit être défini quand DEBUG est désactivé : donnez-lui une valeur longue et "
        'aléatoire (python -c "import secrets; print(secrets.token_urlsafe(64))"), ou lancez '
        "Essor avec DEBUG=1 pour un essai local."
    )
if not DEBUG and SECRET_KEY in PUBLIC_SECRET_KEYS:
    raise ImproperlyConfigured(
        "SECRET_KEY est une clé publique (celle de développement d'Essor ou celle de "
        ".env.example) : n'importe qui pourrait forger des sessions et des liens de "
        "réinitialisation de mot de passe. Générez une clé longue et aléatoire "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_tasks",
    "django_tasks_db",
    "django_fsm_log",
    "axes",
    "essor.core",
    "essor.accounts",
    "essor.territory",
    "essor.directory",
    "essor.funding",
    "essor.insertion",
    "essor.support",
    "essor.foodlink",
    "essor.village",
    "essor.cigales",
    "essor.tierslieu",
    "essor.observatory",
    "essor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "essor.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: a generated password is changed before anything else.
    "essor.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "essor.urls"
WSGI_APPLICATION = "essor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "essor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "essor.core.context_processors.essor",
            ],
        },
    }
]
# Django's form renderer, whose bound fields do not repeat a field's label in its own errors.
FORM_RENDERER = "essor.core.forms.FormRenderer"

# Database: SQLite (WAL, IMMEDIATE transactions) by default, PostgreSQL with DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if PRODUCTION and not DATABASE_URL and not os.environ.get("SQLITE_PATH"):
    # A DATABASE_URL set in the shell without `export` is not seen: `migrate` would silently build
    # an empty SQLite file in the repository instead of the real database.
    raise ImproperlyConfigured(
        "En production (ESSOR_PRODUCTION=1), la base de données doit être désignée : définissez "
        "DATABASE_URL (PostgreSQL) ou SQLITE_PATH (fichier SQLite) dans l'environnement. Dans un "
        "shell, chargez le fichier de configuration avec « set -a; . /etc/essor/essor.env; "
        "set +a » ou écrivez « export DATABASE_URL=… » : une variable non exportée n'est pas vue "
        "par Essor."
    )
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # JIT compilation costs more than it saves on the short queries of a web page.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "essor.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when the transaction starts, so a
                # check-then-write inside transaction.atomic() cannot race another writer.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _cache(key_prefix: str = "", **locmem) -> dict:
    if os.environ.get("REDIS_URL"):
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        return {**redis, "KEY_PREFIX": key_prefix} if key_prefix else redis
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", **locmem}


CACHES = {
    "default": _cache(),
    # The public pages kept for anonymous visitors (essor/core/page_cache.py), apart: a flood of
    # distinct search pages evicts other pages, never the login throttling counters.
    "pages": _cache("pages", LOCATION="pages", OPTIONS={"MAX_ENTRIES": 500}),
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The worker (`manage.py essor_worker`) records a sign of life this often (seconds); /healthz
# answers 503 when no worker did for ESSOR_HEALTH_WORKER_MAX_SILENCE_SECONDS, or when a task
# ready to run has waited more than ESSOR_HEALTH_QUEUE_MAX_AGE_SECONDS.
ESSOR_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("ESSOR_WORKER_HEARTBEAT_SECONDS", "30"))
ESSOR_HEALTH_WORKER_MAX_SILENCE_SECONDS = int(
    os.environ.get("ESSOR_HEALTH_WORKER_MAX_SILENCE_SECONDS", "300")
)
ESSOR_HEALTH_QUEUE_MAX_AGE_SECONDS = int(
    os.environ.get("ESSOR_HEALTH_QUEUE_MAX_AGE_SECONDS", "900")
)

AUTH_USER_MODEL = "accounts.User"
# Axes first: a locked (address, account) pair is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"
# Failed sign-ins (django-axes): LOGIN_MAX_FAILURES failures for one account from one address, each
# within LOGIN_LOCKOUT_MINUTES of the previous, lock that pair only, for LOGIN_LOCKOUT_MINUTES after
# the last attempt. Neither the account alone (anyone could lock a chosen person out) nor the
# address alone (everyone behind one network address would be locked together) is ever locked.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "essor.accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "essor.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "essor.accounts.views.locked_out"
# Only failures are kept (and only while they count), not a log of every successful sign-in.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks that connect to
# Essor, REMOTE_ADDR), and how many proxies a request crosses. From anyone else the header is
# ignored. Default: one proxy (nginx, Caddy…) on the same machine.
ESSOR_TRUSTED_PROXIES = env_list("ESSOR_TRUSTED_PROXIES", "127.0.0.1,::1")
ESSOR_PROXY_COUNT = int(os.environ.get("ESSOR_PROXY_COUNT", "1"))
for _proxy in ESSOR_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"ESSOR_TRUSTED_PROXIES : « {_proxy} » n'est ni une adresse IP ni un réseau "
            "(exemples : 127.0.0.1, 10.0.0.0/24)."
        ) from None
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "14"))
# Hours the e-mailed link of a sign-up stays valid (the account is created when it is followed).
SIGNUP_LINK_VALID_HOURS = int(os.environ.get("SIGNUP_LINK_VALID_HOURS", "48"))
# E-mails anyone can have sent (sign-up, forgotten password): at most this many per recipient and
# per client address within ACCOUNT_EMAIL_LIMIT_MINUTES, counted in the cache.
ACCOUNT_EMAIL_LIMIT_PER_RECIPIENT = int(os.environ.get("ACCOUNT_EMAIL_LIMIT_PER_RECIPIENT", "3"))
ACCOUNT_EMAIL_LIMIT_PER_CLIENT = int(os.environ.get("ACCOUNT_EMAIL_LIMIT_PER_CLIENT", "10"))
ACCOUNT_EMAIL_LIMIT_MINUTES = int(os.environ.get("ACCOUNT_EMAIL_LIMIT_MINUTES", "60"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Essor <ne-pas-repondre@essor.local>")
# Seconds before a mail server that does not answer is given up (the attempt is then retried).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# The operators, e-mailed every error logged (a server error, a task that failed, an e-mail given
# up): ADMINS="Prénom Nom <prenom.nom@example.org>,autre@example.org". From SERVER_EMAIL.
ADMINS = env_admins("ADMINS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[Essor] ")
# E-mails are sent by the worker (essor.core.mail); a refused or unreachable mail server is tried
# again ESSOR_EMAIL_RETRY_SECONDS later, then 4 times longer each time (at most an hour between
# two attempts), up to ESSOR_EMAIL_MAX_ATTEMPTS attempts in all.
ESSOR_EMAIL_MAX_ATTEMPTS = int(os.environ.get("ESSOR_EMAIL_MAX_ATTEMPTS", "6"))
ESSOR_EMAIL_RETRY_SECONDS = int(os.environ.get("ESSOR_EMAIL_RETRY_SECONDS", "60"))

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Numbers are grouped by the `nombre` and `euros` filters, never implicitly: years, identifiers
# and form values must print as they are (2026, not 2 026).
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Front-end libraries come from npm packages installed by the set-up command, never copied here.
# Only the distributed files of the libraries pages use are published (under /static/vendor/):
# not the rest of node_modules, and not axe-core, which only the tests run (from node_modules).
STATICFILES_DIRS = [BASE_DIR / "essor" / "static"]
_NODE_MODULES = BASE_DIR / "node_modules"
PUBLISHED_NPM_PACKAGES = ("htmx.org", "leaflet", "leaflet.markercluster")
STATICFILES_DIRS += [
    (f"vendor/{package}/dist", _NODE_MODULES / package / "dist")
    for package in PUBLISHED_NPM_PACKAGES
    if (_NODE_MODULES / package / "dist").is_dir()
]
# Packages with no dist folder: only these files of theirs are published, under
# /static/vendor/<package>/ (essor.core.staticfiles.NpmFilesFinder). swagger-ui's style sheet names
# its source map, which the hashed storage must find; the API documentation page needs no more.
NPM_NODE_MODULES = _NODE_MODULES
PUBLISHED_NPM_FILES = {
    "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui.css.map"),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "essor.core.staticfiles.NpmFilesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# Stored files are private: neither Django nor the proxy serves MEDIA_URL. Views check rights, then
# (when this is set, e.g. "/_prive/") let nginx send the file from an `internal` location through
# X-Accel-Redirect; when empty, Django streams it (see essor/core/files.py).
ESSOR_PRIVATE_FILES_ACCEL_PREFIX = os.environ.get("ESSOR_PRIVATE_FILES_ACCEL_PREFIX", "")
# Uploads above this size are refused with a French message (bytes).
MAX_UPLOAD_SIZE = int(os.environ.get("MAX_UPLOAD_SIZE", str(2 * 1024**3)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None

# The territory this deployment serves (SIREN of its EPCI) and the agency that runs it.
ESSOR_TERRITORY_SIREN = os.environ.get("ESSOR_TERRITORY_SIREN", "245900428")
ESSOR_AGENCY_NAME = os.environ.get("ESSOR_AGENCY_NAME", "Agence ESS du Dunkerquois")
ESSOR_PLATFORM_NAME = os.environ.get("ESSOR_PLATFORM_NAME", "Essor")
# Legal pages (mentions légales, données personnelles, accessibilité): set by the operator.
ESSOR_AGENCY_ADDRESS = os.environ.get("ESSOR_AGENCY_ADDRESS", "")
ESSOR_CONTACT_EMAIL = os.environ.get("ESSOR_CONTACT_EMAIL", "")
ESSOR_PUBLICATION_DIRECTOR = os.environ.get("ESSOR_PUBLICATION_DIRECTOR", "")
ESSOR_DPO_CONTACT = os.environ.get("ESSOR_DPO_CONTACT", "")
ESSOR_HOSTING_PROVIDER = os.environ.get("ESSOR_HOSTING_PROVIDER", "")
ESSOR_HOSTING_ADDRESS = os.environ.get("ESSOR_HOSTING_ADDRESS", "")
ESSOR_ACCESSIBILITY_STATEMENT_DATE = os.environ.get(
    "ESSOR_ACCESSIBILITY_STATEMENT_DATE", "2026-11-26"
)
# Funding (financements): the open-data obligation threshold (décret 2017-779), attachments,
# the compte-rendu financier's deadline and its reminders, the payment delay after a decision.
ESSOR_FUNDING_SCDL_THRESHOLD = int(os.environ.get("ESSOR_FUNDING_SCDL_THRESHOLD", "23000"))
ESSOR_FUNDING_ATTACHMENT_MAX_MB = int(os.environ.get("ESSOR_FUNDING_ATTACHMENT_MAX_MB", "10"))
ESSOR_FUNDING_ATTACHMENT_EXTENSIONS = tuple(
    extension.strip().lower().lstrip(".")
    for extension in os.environ.get(
        "ESSOR_FUNDING_ATTACHMENT_EXTENSIONS", "pdf,jpg,jpeg,png,odt,docx,xlsx,ods"
    ).split(",")
    if extension.strip()
)
ESSOR_FUNDING_REPORT_DUE_MONTHS = int(os.environ.get("ESSOR_FUNDING_REPORT_DUE_MONTHS", "6"))
ESSOR_FUNDING_REPORT_REMINDER_DAYS_BEFORE = int(
    os.environ.get("ESSOR_FUNDING_REPORT_REMINDER_DAYS_BEFORE", "30")
)
ESSOR_FUNDING_REPORT_REMINDER_DAYS_LATE = int(
    os.environ.get("ESSOR_FUNDING_REPORT_REMINDER_DAYS_LATE", "30")
)
ESSOR_FUNDING_PAYMENT_DELAY_DAYS = int(os.environ.get("ESSOR_FUNDING_PAYMENT_DELAY_DAYS", "30"))
# Work integration (IAE): hours of a full-time post in a year (FTE worked = hours / this), and
# how long after the exit a participant's personal details are kept before anonymisation.
ESSOR_INSERTION_REFERENCE_YEARLY_HOURS = Decimal(
    os.environ.get("ESSOR_INSERTION_REFERENCE_YEARLY_HOURS", "1607")
)
ESSOR_INSERTION_RETENTION_MONTHS = int(os.environ.get("ESSOR_INSERTION_RETENTION_MONTHS", "24"))
# Short food chains: the threshold of contracts without advertising, per buyer, product family
# and year (euros excluding VAT; 60,000 for supplies from 1 April 2026, check the current rule).
ESSOR_FOODLINK_PROCUREMENT_THRESHOLD = Decimal(
    os.environ.get("ESSOR_FOODLINK_PROCUREMENT_THRESHOLD", "40000")
)
# Village des solidarités: the prize draw's first names and contacts are erased this many days
# after the event (`manage.py village_erase_draw_entries`, daily).
ESSOR_VILLAGE_DRAW_KEEP_DAYS = int(os.environ.get("ESSOR_VILLAGE_DRAW_KEEP_DAYS", "30"))
# CIGALES clubs: the network's published practice; change them here if the charter changes.
CIGALES_MIN_MEMBERS = int(os.environ.get("CIGALES_MIN_MEMBERS", "5"))
CIGALES_MAX_MEMBERS = int(os.environ.get("CIGALES_MAX_MEMBERS", "20"))
# The indivision lasts this many years, prorogued once for as many (10 years at most).
CIGALES_LIFE_YEARS = int(os.environ.get("CIGALES_LIFE_YEARS", "5"))
CIGALES_MIN_MONTHLY_SAVING = Decimal(os.environ.get("CIGALES_MIN_MONTHLY_SAVING", "7.50"))
CIGALES_MAX_MONTHLY_SAVING = Decimal(os.environ.get("CIGALES_MAX_MONTHLY_SAVING", "450"))
# Caps on a club's stake (fractions: « 1/3 ») in an enterprise's capital (a SCOP: half), and the stake a shareholder
# current account requires.
CIGALES_MAX_CAPITAL_SHARE = Fraction(os.environ.get("CIGALES_MAX_CAPITAL_SHARE", "1/3"))
CIGALES_MAX_CAPITAL_SHARE_SCOP = Fraction(os.environ.get("CIGALES_MAX_CAPITAL_SHARE_SCOP", "1/2"))
CIGALES_CURRENT_ACCOUNT_MIN_SHARE = Fraction(
    os.environ.get("CIGALES_CURRENT_ACCOUNT_MIN_SHARE", "5/100")
)
# A subscription to capital held this many years opens the IR-PME reduction (shown, not computed).
CIGALES_HOLDING_YEARS = int(os.environ.get("CIGALES_HOLDING_YEARS", "5"))
# Mentors are reminded when an investment has had no follow-up for this many days.
CIGALES_FOLLOW_UP_DAYS = int(os.environ.get("CIGALES_FOLLOW_UP_DAYS", "365"))
# Public pages rendered once for anonymous visitors are served from the cache for at most this
# many seconds (0: never); a write in Essor renders them again sooner (essor/core/page_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "300"))
# Observatory: a stored indicator table of the current or the previous year is refreshed in the
# background once this old (0: every request computes its tables; tests only).
OBSERVATORY_CACHE_SECONDS = int(os.environ.get("OBSERVATORY_CACHE_SECONDS", "300"))

MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", "&copy; les contributeurs d'OpenStreetMap"
)

# Security: strict by default, stricter in production.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A refused form (missing or stale CSRF token) gets a French page in the site's layout.
CSRF_FAILURE_VIEW = "essor.core.errors.csrf_failure"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

_TILE_HOST = "https://*.tile.openstreetmap.org https://tile.openstreetmap.org"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *os.environ.get("CSP_IMG_SRC", _TILE_HOST).split()],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Permissions-Policy: the browser features no page of Essor uses are denied to every page (and to
# anything embedded in one), so that injected or third-party code cannot reach them. Kept as a
# setting so that a deployment can open a feature to its own pages
# (PERMISSIONS_POLICY_ALLOW_SELF=camera gives camera=(self)). A module that needs a feature on a
# few pages only (a future module will scan QR codes with the phone's camera) should rather open
# it on those pages' responses, with django_permissions_policy.decorators
# .permissions_policy_override({**settings.PERMISSIONS_POLICY, "camera": ["self"]}).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
PERMISSIONS_POLICY.update(
    (feature, ["self"]) for feature in env_list("PERMISSIONS_POLICY_ALLOW_SELF")
)

# Logs: one line per record on the standard error (journald keeps it: journalctl -u essor), in
# French (« 2026-12-06 10:15:02 ERREUR django.request : … »), a traceback only under an error;
# every error is also e-mailed to ADMINS (outside DEBUG). A request with an unknown Host header
# (a robot trying addresses) is one line, without traceback nor e-mail. The requests themselves
# are in gunicorn's access log (--access-logfile -, see docs/exploitation/supervision.md);
# django.request logs the refused (4xx) and failed (5xx) ones.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
_LOG_FORMAT = "%(asctime)s %(niveau)s %(name)s : %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "essor": {
            "()": "essor.core.logs.FrenchFormatter",
            "format": _LOG_FORMAT,
            "datefmt": "%Y-%m-%d %H:%M:%S",
        },
        "one_line": {
            "()": "essor.core.logs.OneLineFormatter",
            "format": _LOG_FORMAT,
            "datefmt": "%Y-%m-%d %H:%M:%S",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "essor",
        },
        "console_one_line": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "one_line",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers are replaced by the root's (above).
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.security.DisallowedHost": {
            "handlers": ["console_one_line"],
            "level": "INFO",
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes: failures and lockouts are warnings; its INFO lines are start-up and cleaning.
        "axes": {"level": "WARNING"},
    },
}

# Outside production, static files are served straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
