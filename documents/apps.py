from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Sổ văn bản, tệp Word"

    def ready(self):
        # Issuing numbers the register and stores the file through workflows' signals.
        from . import issuing

        issuing.connect()
