from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "essor.observatory"
    label = "observatory"
    verbose_name = "Observatoire de l'ESS"

    def ready(self):
        from essor.core.demo.registry import DemoStep, register_step
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.observatory.demo import load_demo, remove_demo
        from essor.observatory.selectors import register_weight_indicators

        register_weight_indicators()
        register_nav(
            NavEntry("Observatoire", "observatory:public", audience=Audience.PUBLIC, order=60)
        )
        register_step(DemoStep(name="observatory", order=90, load=load_demo, remove=remove_demo))
