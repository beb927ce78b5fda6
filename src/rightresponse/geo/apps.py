from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "rightresponse.geo"
    label = "geo"
    verbose_name = "Places: the city's boundaries and address points"
