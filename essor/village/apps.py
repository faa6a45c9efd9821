from django.apps import AppConfig


class VillageConfig(AppConfig):
    name = "essor.village"
    label = "village"
    verbose_name = "Village des solidarités"

    def ready(self):
        from essor.core.indicators import register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.core.notifications import EmailCategory, register_email_category
        from essor.village.figures import INDICATORS

        for category in (
            EmailCategory(
                "village.exhibitor",
                "Village des solidarités : réponses de l'agence à vos candidatures d'exposant",
                audience="administrateurs des structures candidates",
                order=50,
            ),
            EmailCategory(
                "village.agency",
                "Village des solidarités : candidatures, confirmations et retraits des exposants",
                audience="agence",
                order=51,
            ),
        ):
            register_email_category(category)

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
