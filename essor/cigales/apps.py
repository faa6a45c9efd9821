from django.apps import AppConfig


class CigalesConfig(AppConfig):
    name = "essor.cigales"
    label = "cigales"
    verbose_name = "Finance solidaire (CIGALES)"

    def ready(self):
        from essor.cigales import audit_actions  # noqa: F401 (registers the audit codes)
        from essor.cigales.figures import INDICATORS
        from essor.core.indicators import register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.core.notifications import EmailCategory, register_email_category

        register_email_category(
            EmailCategory(
                "cigales.follow_up",
                "CIGALES : rappels des suivis annuels en retard des investissements de votre club",
                audience="parrains et membres du bureau des clubs",
                order=60,
            )
        )

        for indicator in INDICATORS:
            register(indicator)
        register_nav(NavEntry("Clubs CIGALES", "cigales:home", audience=Audience.PUBLIC, order=57))
        register_nav(
            NavEntry(
                "Vos clubs CIGALES",
                "cigales:my_clubs",
                audience=Audience.AUTHENTICATED,
                order=58,
            )
        )
        from essor.cigales.access import sees_dashboard

        register_nav(
            NavEntry(
                "Tableau de bord de la finance solidaire",
                "cigales:dashboard",
                audience=Audience.AUTHENTICATED,
                order=59,
                visible=sees_dashboard,
            )
        )
