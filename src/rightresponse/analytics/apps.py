from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "rightresponse.analytics"
    label = "analytics"
    verbose_name = "Analytics on calls-for-service data"
