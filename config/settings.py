"""Settings for the commune document-approval engine.

Everything that differs between a laptop and a server comes from the environment:
DATABASE_URL (with DB_POOL_* for PostgreSQL), SECRET_KEY (else generated once into
var/secret_key), DEBUG, HTTPS, ALLOWED_HOSTS, SMTP settings. `make run` and a real deployment use
the same stack (gunicorn, WhiteNoise, DEBUG off); only `HTTPS=0` differs for plain http on 127.0.0.1.
"""
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key_from_file(path):
    """The key written on the first run when the environment gives none, read on every later run.

    Several gunicorn workers may start at once: each writes its own temporary file and links it
    into place, and whoever loses the race reads the winner's key, so all share one key.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write(secrets.token_urlsafe(64) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE", VAR_DIR / "secret_key"))
SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_from_file(SECRET_KEY_FILE)
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random value of at least 50 characters "
        f"(from the environment, or the file {SECRET_KEY_FILE} written on the first run)."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.staticfiles.StaticFilesConfig",  # collectstatic skips viewflow's node_modules
    "django.contrib.humanize",
    "django_filters",
    "django_fsm",
    "viewflow",
    "accounts",
    "organizations",
    "plans",
    "workflows",
    "documents",
    "signatures",
    "rounds",
    "distribution",
    "api",
    "web",
    "backups",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",  # 503 when the database is lost; outside sessions
    "accounts.sessions.IdleSessionMiddleware",  # Django's, extending the session at most once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL)}
# Connections are never kept per thread (CONN_MAX_AGE=0): a thread-per-request server would
# otherwise keep one idle connection per thread it ever started and exhaust the server's limit.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    # One bounded psycopg pool per process: a deployment never holds more than
    # (gunicorn workers + other processes) × DB_POOL_MAX_SIZE server connections, whatever the load.
    # A request waiting longer than DB_POOL_TIMEOUT for a connection gets the 503 page.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a pooled connection may outlive a server restart
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked": WAL lets readers
    # run beside the one writer, and BEGIN IMMEDIATE takes the write lock when a transaction starts,
    # so two transactions that read and then write cannot deadlock (SQLite would fail one at once).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"}
    )
    # Tests run on a file too: an in-memory database is shared between the test and the live
    # server's threads through SQLite's shared cache, whose table locks fail at once instead of
    # waiting, so the browser tests would not see the locking that production has.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# With DEBUG on (make dev, the tests' live server) WhiteNoise serves the apps' static files where
# they are, without collectstatic; with DEBUG off only the collected, hashed files are served.
# (pytest-django's live server does not serve them itself: it looks for the app label
# "django.contrib.staticfiles", replaced above by config.staticfiles.)
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Uploads: evidence files and replacement Word templates.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# Handling deadline of each waiting step (tiếp nhận, thẩm định, ký, phát hành), per kind of document,
# in WORKING days (Monday to Friday; public holidays are not known to the system and count as working
# days). Environment: HANDLING_DEADLINE_DAYS="unit_report=3,plan=5,summary_report=3" (workflows.deadlines).
HANDLING_DEADLINE_DAYS_TEXT = os.environ.get("HANDLING_DEADLINE_DAYS", "unit_report=3,plan=5,summary_report=3")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Word templates: limits for uploaded templates (documents.docx_package, documents.isolation) ---
# An uploaded template is checked and rendered in a child process killed after this many seconds,
# with this much address space; its .docx is refused before unzipping beyond these sizes.
TEMPLATE_RENDER_TIMEOUT_SECONDS = float(os.environ.get("TEMPLATE_RENDER_TIMEOUT_SECONDS", "10"))
TEMPLATE_RENDER_MEMORY_MB = int(os.environ.get("TEMPLATE_RENDER_MEMORY_MB", "512"))
TEMPLATE_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("TEMPLATE_MAX_UNCOMPRESSED_BYTES", str(20 * 1024 * 1024)))
TEMPLATE_MAX_PART_BYTES = int(os.environ.get("TEMPLATE_MAX_PART_BYTES", str(10 * 1024 * 1024)))
TEMPLATE_MAX_PARTS = int(os.environ.get("TEMPLATE_MAX_PARTS", "300"))
TEMPLATE_MAX_COMPRESSION_RATIO = float(os.environ.get("TEMPLATE_MAX_COMPRESSION_RATIO", "100"))
# --- end Word templates ---

# E-mail: console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "congvan@localhost")


CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"}}


# Security: safe defaults, tightened further when DEBUG is off. HTTPS (on unless DEBUG) means the
# site is reached over https, through a proxy that sets X-Forwarded-Proto; `make run` sets HTTPS=0
# to serve the same production stack over plain http on 127.0.0.1.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
HTTPS = env_bool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# web app
# viewflow's Site/Application routing sets request.resolver_match.site/app; the web subclass adds
# Vietnamese refusal reasons and maps workflow errors to pages.
MIDDLEWARE += ["web.middleware.SiteMiddleware"]
TEMPLATES[0]["OPTIONS"]["context_processors"] += ["web.context_processors.web"]

# --- Login throttling, passwords, API tokens and sessions (issue 9) -----------------------------
# django-axes counts failed logins per username-and-address pair in the database; accounts.throttle
# serialises the attempts of one pair so parallel requests cannot check more passwords than the
# limit, and answers lockouts in Vietnamese on the web login, /admin/login/ and POST /api/v1/auth/token.
LOGIN_RATE_LIMIT = int(os.environ.get("LOGIN_RATE_LIMIT", "5"))  # wrong passwords before a lockout
LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("LOGIN_RATE_WINDOW_SECONDS", "900"))  # lockout length
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: use REMOTE_ADDR and never
# trust the header (a client could forge it).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# django-axes' gate first (a locked pair is refused before any password is compared); the workflow
# rules (workflows.policy) answer has_perm(user, "workflows.approve_document", document) last.
AUTHENTICATION_BACKENDS = [
    "accounts.throttle.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "workflows.backends.PolicyBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = "accounts.throttle.cool_off"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Administrators see and clear lockouts in the admin as "Đăng nhập sai (khóa tạm thời)" (accounts.admin);
# axes' own English pages and its log of successful logins are not used.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True
# The unlock time shown to a locked-out person must not move while they wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

AUTH_PASSWORD_VALIDATORS += [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
# A session ends after a working day without activity; a request extends it, writing the session
# at most once every SESSION_REFRESH_SECONDS (accounts.sessions), not on every request.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(10 * 3600)))
SESSION_REFRESH_SECONDS = int(os.environ.get("SESSION_REFRESH_SECONDS", "60"))
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# --- end of issue 9 block ------------------------------------------------------------------------

# --- Content-Security-Policy (django-csp 4; issue 9) -------------------------------------------
# Scripts and style sheets only from this server; no inline script at all (the pages load
# web/static/web/*.js). The one inline <style>, viewflow's theme colours (templates/viewflow/base.html),
# carries the per-request nonce. style-src-attr 'unsafe-inline' is the one exception: viewflow's own
# templates and ours set a few style="" attributes; attributes cannot run script or load anything.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
# Outermost but SecurityMiddleware, so that every response gets the header, error pages included.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Background work, shared cache, file storage (issue 10) -----------------------------------
# REDIS_URL set: Celery tasks (PDF conversion, e-mail, reminder runs) go through Redis to the
# workers (`celery -A config worker -B`), and Redis holds the cache (login throttling included)
# for every web and worker process. Not set: tasks run inline in the calling process.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker died is delivered again, not lost
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one slow PDF conversion never holds back queued tasks
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The periodic reminder run (rounds.tasks.send_reminders) when beat runs; cron/systemd running
# `manage.py send_reminders` is the alternative, and both together still send each message once.
REMINDER_INTERVAL_SECONDS = int(os.environ.get("REMINDER_INTERVAL_SECONDS", "900"))
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {"task": "rounds.tasks.send_reminders", "schedule": float(REMINDER_INTERVAL_SECONDS)},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")  # beat's state, not in the repository
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "congvan"}
    }
# How long /healthz waits for a worker to answer a ping; load balancers probe it over plain HTTP.
HEALTHZ_WORKER_TIMEOUT = float(os.environ.get("HEALTHZ_WORKER_TIMEOUT", "1.0"))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for EMAIL_BACKEND=…filebased…

# Uploaded evidence, issued files and PDFs go through default_storage: var/media on this machine,
# or an S3-compatible bucket with STORAGE_BACKEND=s3 (pip install -e '.[s3]').
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local").strip().lower()
if STORAGE_BACKEND == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3: set AWS_STORAGE_BUCKET_NAME (and the AWS_* access variables).")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,  # issued files are never rewritten
        },
    }
elif STORAGE_BACKEND != "local":
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use 'local' (var/media) or 's3'.")


# --- Digital signatures (issue 13, signatures app) -------------------------------------------
# DIGITAL_SIGNING=1: `sign` signs a PDF with the signer's key and `issue` stamps the number and
# date and adds the organisation's signature; 0: both stay plain state changes (no key needed).
DIGITAL_SIGNING = env_bool("DIGITAL_SIGNING", True)
SOFTHSM2_MODULE = os.environ.get("SOFTHSM2_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
# The demo CA and the SoftHSM2 token of `manage.py demo_signing_keys` (CHỈ DÙNG THỬ).
SIGNING_DEMO_DIR = Path(os.environ.get("SIGNING_DEMO_DIR", VAR_DIR / "softhsm"))
# PINs and PKCS#12 passwords by name (SigningKey.pin_name): SIGNING_PIN_<NAME> in the environment.
SIGNING_PINS = {k[len("SIGNING_PIN_"):]: v for k, v in os.environ.items() if k.startswith("SIGNING_PIN_")}
# Trusted roots (PEM files, ":"-separated) and revocation lists (DER/PEM); the demo CA's by default.
SIGNING_TRUST_ROOTS = [p for p in os.environ.get("SIGNING_TRUST_ROOTS", "").split(":") if p] or [str(SIGNING_DEMO_DIR / "ca" / "ca.pem")]
SIGNING_CRLS = [p for p in os.environ.get("SIGNING_CRLS", "").split(":") if p] or [str(SIGNING_DEMO_DIR / "ca" / "ca.crl")]
# RFC 3161 time-stamping server: signatures become PAdES B-T instead of B-B.
SIGNING_TSA_URL = os.environ.get("SIGNING_TSA_URL", "")
# Font of the number/date stamp: Times New Roman when installed, else its metric twin.
SIGNING_FONT = os.environ.get("SIGNING_FONT", "")
SIGNING_FONT_ITALIC = os.environ.get("SIGNING_FONT_ITALIC", "")
# The public address printed on issued PDFs ("Kiểm tra chữ ký số tại ...").
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
