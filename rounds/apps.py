from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = "Kỳ báo cáo, nhắc việc, thi đua"
