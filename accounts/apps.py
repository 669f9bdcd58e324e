from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from . import sessions, signals  # noqa: F401 - connect the session stamp and token revocation receivers
