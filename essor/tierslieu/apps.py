from django.apps import AppConfig


class TiersLieuConfig(AppConfig):
    name = "essor.tierslieu"
    label = "tierslieu"
    verbose_name = "Tiers-lieux"

    def ready(self):
        from essor.core.indicators import register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.tierslieu.figures import INDICATORS

        for indicator in INDICATORS:
            register(indicator)
        from essor.tierslieu import audit_actions  # noqa: F401 (registers the audit codes)
        from essor.tierslieu.access import sees_my_places

        register_nav(NavEntry("Tiers-lieux", "tierslieu:home", audience=Audience.PUBLIC, order=61))
        register_nav(
            NavEntry(
                "Vos tiers-lieux",
                "tierslieu:mine",
                audience=Audience.AUTHENTICATED,
                order=62,
                visible=sees_my_places,
            )
        )
