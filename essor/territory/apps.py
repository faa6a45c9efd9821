from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "essor.territory"
    label = "territory"
    verbose_name = "Territoires"
