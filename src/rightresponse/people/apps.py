from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rightresponse.people"
    label = "people"
    verbose_name = "People involved in calls and services"
