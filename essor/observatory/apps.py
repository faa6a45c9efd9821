from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "essor.observatory"
    label = "observatory"
    verbose_name = "Observatoire de l'ESS"

    def ready(self):
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.observatory.selectors import register_weight_indicators

        register_weight_indicators()
        register_nav(
            NavEntry("Observatoire", "observatory:public", audience=Audience.PUBLIC, order=60)
        )
