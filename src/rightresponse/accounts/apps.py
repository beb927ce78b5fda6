from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rightresponse.accounts"
    label = "accounts"
    verbose_name = "Agencies, people who use the system, and audit"
