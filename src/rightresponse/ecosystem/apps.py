from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    name = "rightresponse.ecosystem"
    label = "ecosystem"
    verbose_name = "Service ecosystem: directory, referrals, consent"

    def ready(self) -> None:
        from rightresponse.dispatch.signals import incident_closed

        from .receivers import on_incident_closed

        incident_closed.connect(on_incident_closed, dispatch_uid="ecosystem.second_response")
