from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "essor.support"
    label = "support"
    verbose_name = "Accompagnement des porteurs de projet"

    def ready(self):
        from essor.core.indicators import register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.support import selectors

        for indicator in selectors.INDICATORS:
            register(indicator)
        register_nav(
            NavEntry(
                "Porteurs de projet", "support:holder_list", audience=Audience.AGENCY, order=40
            )
        )
