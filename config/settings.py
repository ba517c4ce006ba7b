"""Wijkkoers settings, read from the environment (see the configuration table in README.md).

Without any environment the site runs as the embedded demo: SQLite, tasks inline, mail to
the console. ``DJANGO_ENV=production`` turns on the strict checks and secure defaults.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV moet 'development' of 'production' zijn.")
PRODUCTION = DJANGO_ENV == "production"


def _bool(name, default):
    """Strict boolean parsing: only true/false/1/0/yes/no/on/off, anything else is an error."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} moet true of false zijn, niet {raw!r}.")


# Off unless asked for (DEBUG=true while developing): the demo shows no tracebacks and
# serves no uploaded files from /media/.
DEBUG = _bool("DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY is verplicht in productie (minstens 50 tekens).")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is verplicht in productie.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG mag niet aan staan in productie.")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="wijkkoers-development-only-key-not-for-production-use")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "core.apps.WijkkoersAdminConfig",  # django.contrib.admin, only after the second step
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "organisations",
    "areas",
    "scores",
    "agreements",
    "interventions",
    "ogc",
    "portfolio",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.faults.DatabaseUnavailableMiddleware",  # database down: 503 with Retry-After
    "core.middleware.SignedMapMiddleware",  # warm maps for signed page URLs, like static files
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.InterfaceLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified(): passed the second step
    "core.middleware.ReadRulesMiddleware",  # a read builds each access rule once
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLimitMiddleware",  # idle and absolute session limits
    "core.middleware.SecondFactorMiddleware",  # the second step before anything else
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Map endpoints whose warm bodies the signed-map middleware serves for a signed page URL:
# URL name → the function that answers such a request, or returns None to pass it on.
SIGNED_MAPS = {
    "area-geojson": "areas.api.views.signed_map_response",
    "score-geojson": "scores.api.geojson.signed_scored_response",
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'wijkkoers.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters travel apart from the SQL, and a query that a connection runs more
    # than DATABASE_PREPARE_THRESHOLD times is prepared: PostgreSQL parses it once and
    # can reuse its plan. At most 65,535 parameters fit in one query; bulk inserts go
    # through UNNEST (one parameter per column), so only a bulk write carrying
    # expressions needs a batch_size. A pooler in transaction mode must support prepared
    # statements (PgBouncer 1.22+ with max_prepared_statements, libpq 17+ as in the
    # psycopg-binary wheel), or set DATABASE_PREPARE_THRESHOLD=0 (off).
    _prepare = env.int("DATABASE_PREPARE_THRESHOLD", default=2)
    if _prepare < 0:
        raise ImproperlyConfigured("DATABASE_PREPARE_THRESHOLD moet 0 (uit) of groter zijn.")
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("server_side_binding", True)
    _options.setdefault("prepare_threshold", _prepare or None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis unreachable: read as an empty cache, logged (core.cache), not a 500.
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="wijkkoers"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: without a broker every task runs inline, so the demo needs no Redis.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BEAT_SCHEDULE = {
    # Jobs a worker left running when it was killed are marked failed.
    "core-import-jobs-sweep": {
        "task": "core.tasks.import_jobs_sweep",
        "schedule": crontab(minute="*/10"),
    },
    # One e-mail per person who chose the daily overview of their area teams.
    "interventions-digest": {
        "task": "interventions.tasks.digest_send",
        "schedule": crontab(hour=7, minute=0),
    },
    # Reminders of the bod, signing, monitoring and review deadlines (each sent once).
    "agreements-deadline-reminders": {
        "task": "agreements.tasks.send_deadline_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.passwords.MinimumLengthValidator",  # at least 12, refused in Dutch
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if not PRODUCTION and _bool("FAST_PASSWORD_HASHER", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
# signing in, whichever comes first (core.middleware.SessionLimitMiddleware).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60

# Two-factor sign-in (django-otp, TOTP with recovery codes). Platform admins must have a
# second factor; so must the people the function below names (organisation beheerders).
SECOND_FACTOR_REQUIRED_FOR = "organisations.selectors.manages_people"
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Wijkkoers")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# django-guardian: no anonymous user object; object permissions only where granted.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False

# django-axes: rate limit sign-in per account and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _bool("AXES_ENABLED", default=True)
# The client address for the lockout (django-ipware): behind PROXY_COUNT reverse proxies
# it is read from X-Forwarded-For; without proxies only REMOTE_ADDR counts, so a client
# cannot dodge the lockout by sending a made-up X-Forwarded-For header.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
)

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Base map under the area maps (a WMTS/XYZ tile URL); empty: maps without a base map.
MAP_TILE_URL = env.str(
    "MAP_TILE_URL",
    default="https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
)
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default="Kaartgegevens &copy; Kadaster (BRT-Achtergrondkaart, PDOK); grenzen: CBS, CC BY 4.0",
)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/utrecht", NODE_MODULES / "@utrecht/component-library-css/dist"),
    ("vendor/utrecht-tokens", NODE_MODULES / "@utrecht/design-tokens/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet/dist"),
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
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Wijkkoers <noreply@wijkkoers.nl>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": "1200/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wijkkoers API",
    "DESCRIPTION": "Gebieden, scores, interventies en prestatieafspraken per wijk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",  # 400/401/403/404 (409 on writes) everywhere
    ],
    # Choice sets that share a field name across apps get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "AgreementStatusEnum": "agreements.models.Agreement.Status",
        "BodStatusEnum": "agreements.models.Bod.Status",
        "PartyRoleEnum": "agreements.models.PartyRole",
        "AreaKindEnum": "areas.models.AreaKind",
        "MembershipRoleEnum": "organisations.models.Role",
        "TeamRoleEnum": "interventions.models.TeamRole",
        "InterventionStatusEnum": "interventions.models.Intervention.Status",
        "SourceKindEnum": "scores.models.SourceKind",
        "ScoreModelKindEnum": "scores.models.ScoreModel.Kind",
        "ModelIndicatorRoleEnum": "scores.models.ModelIndicator.Role",
        "ImportJobStatusEnum": "core.models.ImportJob.Status",
        "ScoreImportModeEnum": "scores.models.ScoreImport.Mode",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def tile_origin(url: str) -> str:
    """The origin of a base map tile URL for the policy: ``{s}`` (a subdomain Leaflet
    picks) becomes a wildcard; empty when there is no base map."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# Content-Security-Policy (django-csp): only the product's own scripts, stylesheets,
# fonts and requests; no inline script or style anywhere (colours drawn per area or
# class are SVG presentation attributes, which are not CSS). The only other origin is the
# base map's tile server, for its images; Leaflet blanks a tile it no longer needs with a
# data: image, so data: images come with a base map and not without one.
MAP_TILE_ORIGIN = tile_origin(MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *([MAP_TILE_ORIGIN, "data:"] if MAP_TILE_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every step of every PDF at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Upload limits, each declared here once. Boundary imports (areas): the largest file a
# platform admin may upload or import; indicator files (scores), signed agreement
# documents (agreements) and attachments of progress updates (interventions), in MB.
BOUNDARY_UPLOAD_MAX_BYTES = env.int("BOUNDARY_UPLOAD_MAX_MB", default=200) * 1024 * 1024
SCORE_UPLOAD_MAX_MB = env.int("SCORE_UPLOAD_MAX_MB", default=100)
AGREEMENT_DOCUMENT_MAX_MB = env.int("AGREEMENT_DOCUMENT_MAX_MB", default=20)
INTERVENTION_ATTACHMENT_MAX_MB = env.int("INTERVENTION_ATTACHMENT_MAX_MB", default=10)
