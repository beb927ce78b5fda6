from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "rightresponse.performance"
    label = "performance"
    verbose_name = "Performance management and dashboards"
