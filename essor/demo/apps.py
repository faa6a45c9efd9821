from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "essor.demo"
    label = "demo"
    verbose_name = "Données de démonstration"

    def ready(self):
        # The demo package is the only one that imports every module: it orders their steps.
        from essor.demo import (
            cigales,
            foodlink,
            funding,
            insertion,
            observatory,
            support,
            tierslieu,
            village,
        )
        from essor.demo.registry import DemoStep, register_step

        register_step(
            DemoStep("funding", 30, funding.load_funding_demo, funding.remove_funding_demo)
        )
        register_step(DemoStep("insertion", 40, insertion.load, insertion.remove))
        register_step(
            DemoStep("support", 40, support.load_support_demo, support.remove_support_demo)
        )
        register_step(DemoStep("foodlink", 50, foodlink.load, foodlink.remove))
        register_step(DemoStep("village", 60, village.load, village.remove))
        register_step(DemoStep("cigales", 65, cigales.load, cigales.remove))
        register_step(DemoStep("tierslieu", 70, tierslieu.load, tierslieu.remove))
        register_step(DemoStep("observatory", 90, observatory.load_demo, observatory.remove_demo))
