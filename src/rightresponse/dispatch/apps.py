from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "rightresponse.dispatch"
    label = "dispatch"
    verbose_name = "Dispatch: incidents and responders"
