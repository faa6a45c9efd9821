from django.apps import AppConfig


class InsertionConfig(AppConfig):
    name = "essor.insertion"
    label = "insertion"
    verbose_name = "Insertion par l'activité économique"

    def ready(self):
        from essor.core.indicators import Indicator, register
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.insertion import access, selectors

        register_nav(
            NavEntry(
                "Insertion",
                "insertion:home",
                audience=Audience.AUTHENTICATED,
                order=30,
                visible=access.may_use_module,
            )
        )
        axis = "Insertion par l'activité économique"
        for order, (key, label, compute, unit) in enumerate(
            [
                (
                    "insertion.people_by_kind",
                    "Personnes salariées, sorties et taux de sortie dynamique, par type de SIAE",
                    selectors.indicator_people_by_kind,
                    "personnes",
                ),
                (
                    "insertion.exits_by_category",
                    "Sorties des SIAE par catégorie",
                    selectors.indicator_exits,
                    "personnes",
                ),
                (
                    "insertion.fte_by_month",
                    "ETP conventionnés et travaillés par mois",
                    selectors.indicator_fte,
                    "ETP",
                ),
                (
                    "insertion.profile",
                    "Profil des personnes salariées en insertion",
                    selectors.indicator_profile,
                    "personnes",
                ),
            ],
            start=1,
        ):
            register(
                Indicator(
                    key=key,
                    module="insertion",
                    axis=axis,
                    label=label,
                    compute=compute,
                    unit=unit,
                    order=order * 10,
                    description=(
                        "Agrégats de toutes les SIAE du territoire ; effectifs de moins de "
                        "5 personnes masqués (secret statistique)."
                    ),
                )
            )
