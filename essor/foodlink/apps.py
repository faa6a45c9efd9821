from django.apps import AppConfig


class FoodlinkConfig(AppConfig):
    name = "essor.foodlink"
    label = "foodlink"
    verbose_name = "Circuits courts alimentaires"

    def ready(self):
        from essor.core.indicators import Indicator, register
        from essor.core.jobs import register_job_access
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.foodlink import selectors, tasks

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
