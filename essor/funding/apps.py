from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "essor.funding"
    label = "funding"
    verbose_name = "Financements"

    def ready(self):
        from essor.core.indicators import Indicator, register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.core.notifications import register_email_category
        from essor.funding import access, notices, selectors

        for category in notices.EMAIL_CATEGORIES:
            register_email_category(category)

        register_nav(
            NavEntry("Financements", "funding:catalogue", audience=Audience.PUBLIC, order=20)
        )
        register_nav(
            NavEntry(
                "Mes demandes de financement",
                "funding:my_applications",
                audience=Audience.AUTHENTICATED,
                order=21,
                visible=lambda user: bool(access.applicant_organisation_ids(user)),
            )
        )
        register_nav(
            NavEntry(
                "Instruction",
                "funding:instruction_list",
                audience=Audience.AUTHENTICATED,
                order=22,
                visible=access.can_use_back_office,
            )
        )
        for key, label, compute, order in (
            (
                "funding.amounts_by_funder",
                "Subventions par financeur",
                selectors.amounts_by_funder,
                10,
            ),
            (
                "funding.amounts_by_programme",
                "Subventions par dispositif",
                selectors.amounts_by_programme,
                20,
            ),
            (
                "funding.amounts_by_sector",
                "Subventions par secteur",
                selectors.amounts_by_sector,
                30,
            ),
            (
                "funding.amounts_by_commune",
                "Subventions par commune",
                selectors.amounts_by_commune,
                40,
            ),
        ):
            register(
                Indicator(
                    key=key,
                    module="funding",
                    axis="Financements",
                    label=label,
                    unit="€",
                    compute=compute,
                    description="Montants demandés, accordés et versés, nombre de structures.",
                    order=order,
                    tags=("financements",),
                )
            )
