from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "essor.observatory"
    label = "observatory"
    verbose_name = "Observatoire de l'ESS"

    def ready(self):
        from essor.core.jobs import register_job_access
        from essor.core.navigation import Audience, NavEntry, register_nav
        from essor.observatory import selectors, services, tasks
        from essor.observatory.selectors import register_weight_indicators, sees_full_observatory
        from essor.observatory.tasks import JOB_KIND as ANNUAL_REPORT_JOB

        selectors.use_writers(
            store_tables=services.store_tables, request_refresh=tasks.request_refresh
        )
        register_weight_indicators()
        register_nav(
            NavEntry("Observatoire", "observatory:public", audience=Audience.PUBLIC, order=60)
        )
        # Whoever may download the report (`report_download`) may follow the job that builds it.
        register_job_access(ANNUAL_REPORT_JOB, lambda job, user: sees_full_observatory(user))
