from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "signatures"
    verbose_name = "Chữ ký số"

    def ready(self):
        # Signing and issuing digitally through workflows' signals (workflows never imports this app).
        from . import receivers

        receivers.connect()
