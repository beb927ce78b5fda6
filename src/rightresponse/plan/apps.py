from django.apps import AppConfig


class PlanConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rightresponse.plan"
    verbose_name = "Plan: the action plan and staffing"
