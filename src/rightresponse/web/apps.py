from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rightresponse.web"
    label = "web"
    verbose_name = "Pages shared by every pillar"
