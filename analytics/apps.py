from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self):
        from analytics import subscribers
        from core.signals import record_changed, records_seeded

        record_changed.connect(subscribers.record_changed, dispatch_uid="analytics.rollups")
        records_seeded.connect(subscribers.records_seeded, dispatch_uid="analytics.rollups_rebuild")
