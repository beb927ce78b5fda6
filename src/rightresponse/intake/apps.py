from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rightresponse.intake"
    label = "intake"
    verbose_name = "Intake: every call becomes a record (incident or virtual case)"
