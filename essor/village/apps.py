from django.apps import AppConfig


class VillageConfig(AppConfig):
    name = "essor.village"
    label = "village"
    verbose_name = "Village des solidarités"

    def ready(self):
        from essor.core.navigation import Audience, NavEntry, register_nav

        register_nav(
            NavEntry(
                "Village des solidarités", "village:manage", audience=Audience.AGENCY, order=60
            )
        )
