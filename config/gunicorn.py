"""gunicorn settings, the same for `make run` and a deployment: `gunicorn -c config/gunicorn.py config.wsgi`.

Threaded workers: a request waiting on LibreOffice or the database does not hold up its whole
process. Each process keeps at most DB_POOL_MAX_SIZE PostgreSQL connections (config/settings.py),
so the web server never holds more than WEB_CONCURRENCY × DB_POOL_MAX_SIZE; keep
DB_POOL_MAX_SIZE ≥ GUNICORN_THREADS so that no thread waits for a connection.
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# A fresh process now and then: memory held by a large Word/PDF render goes back to the system.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
# Only the reverse proxy on this machine may say the request came over https (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn 27's control socket defaults to one path per user: two servers on a machine would clash.
control_socket_disable = True
