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

        from essor.core.permissions import administered_organisation_ids

        register_nav(
            NavEntry("Village des solidarités", "village:home", audience=Audience.PUBLIC, order=55)
        )
        register_nav(
            NavEntry(
                "Vos candidatures au Village",
                "village:my_applications",
                audience=Audience.AUTHENTICATED,
                order=56,
                visible=lambda user: bool(administered_organisation_ids(user)),
            )
        )
        register_nav(
            NavEntry("Gestion du Village", "village:manage", audience=Audience.AGENCY, order=60)
        )
