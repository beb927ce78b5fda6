from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "rightresponse.triage"
    label = "triage"
    verbose_name = "Triage: calls and decisions"
