from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "essor.funding"
    label = "funding"
    verbose_name = "Financements"
