from django.apps import AppConfig


class InsertionConfig(AppConfig):
    name = "essor.insertion"
    label = "insertion"
    verbose_name = "Insertion par l'activité économique"
