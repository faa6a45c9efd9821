from django.apps import AppConfig


class FoodlinkConfig(AppConfig):
    name = "essor.foodlink"
    label = "foodlink"
    verbose_name = "Circuits courts alimentaires"

    def ready(self):
        from essor.core.indicators import Indicator, register
        from essor.core.jobs import register_job_access
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.core.notifications import EmailCategory, register_email_category
        from essor.foodlink import selectors, tasks

        for category in (
            EmailCategory(
                "foodlink.consultation",
                "Circuits courts : consultations des cantines qui correspondent à vos produits, "
                "leurs annulations",
                audience="membres des producteurs du guide",
                order=40,
            ),
            EmailCategory(
                "foodlink.award",
                "Circuits courts : résultat des consultations où vous avez fait une offre, bons "
                "de commande",
                audience="membres des producteurs qui ont fait une offre",
                mandatory=True,
                why="l'acheteur informe chaque producteur qui a répondu du résultat, et un bon de "
                "commande engage votre structure à livrer",
                order=41,
            ),
        ):
            register_email_category(category)

        register_nav(
            NavEntry("Producteurs locaux", "foodlink:guide", audience=Audience.PUBLIC, order=50)
        )
        register_nav(
            NavEntry(
                "Circuits courts",
                "foodlink:home",
                audience=Audience.AUTHENTICATED,
                order=51,
                visible=selectors.takes_part,
            )
        )
        register(
            Indicator(
                key="foodlink.egalim_by_sector",
                module="foodlink",
                axis="Alimentation durable",
                label="Part bio et EGalim des achats des cantines, par secteur",
                unit="%",
                compute=selectors.egalim_rates_by_sector,
                order=10,
            )
        )
        register(
            Indicator(
                key="foodlink.producers_by_family",
                module="foodlink",
                axis="Alimentation durable",
                label="Producteurs locaux du guide, par famille de produits",
                compute=selectors.producers_by_family,
                order=20,
            )
        )
        register_job_access(tasks.JOB_KIND, tasks.may_follow_booklet_job)
