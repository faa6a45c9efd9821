from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "essor.core"
    label = "core"
    verbose_name = "Socle commun"

    def ready(self):
        from django.urls import register_converter
        from django.utils.module_loading import autodiscover_modules

        # checks registers Essor's checks; page_cache connects the signals that make the cached
        # public pages follow writes, in every process (web, background worker, commands).
        from essor.core import checks, notifications, page_cache, workflow  # noqa: F401
        from essor.core.converters import YearConverter
        from essor.core.navigation import Audience, NavEntry, register_nav

        # `<year:year>` in any module's URLs: a four-digit year or a 404.
        register_converter(YearConverter, "year")
        # Every signed-in person has notifications: the dashboard's entry says how many unread.
        register_nav(
            NavEntry(
                "Notifications",
                "core:notifications",
                audience=Audience.AUTHENTICATED,
                order=1,
                detail=notifications.unread_detail,
            )
        )
        # Each module declares its audit codes in its `audit_actions.py`.
        autodiscover_modules("audit_actions")
        # Every app's models are loaded before any ready(): the transitions of every module.
        workflow.register_audit_actions()
