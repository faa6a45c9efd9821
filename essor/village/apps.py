from django.apps import AppConfig


class VillageConfig(AppConfig):
    name = "essor.village"
    label = "village"
    verbose_name = "Village des solidarités"

    def ready(self):
        from essor.core.indicators import register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.village.figures import INDICATORS

        for indicator in INDICATORS:
            register(indicator)

        register_nav(
            NavEntry(
                "Village des solidarités", "village:manage", audience=Audience.AGENCY, order=60
            )
        )
