from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "essor.core"
    label = "core"
    verbose_name = "Socle commun"
