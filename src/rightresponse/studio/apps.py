from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "rightresponse.studio"
    label = "studio"
    verbose_name = "Protocol studio: drafts, approval and publishing"
