from django.apps import AppConfig


class FoodlinkConfig(AppConfig):
    name = "essor.foodlink"
    label = "foodlink"
    verbose_name = "Circuits courts alimentaires"
