from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "rightresponse.dispatch"
    label = "dispatch"
    verbose_name = "Dispatch: incidents and responders"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal handlers)
