from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    name = "rightresponse.ecosystem"
    label = "ecosystem"
    verbose_name = "Service ecosystem: directory, referrals, consent"
