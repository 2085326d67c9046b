from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from ecommerce_analytics.signals import records_seeded

        records_seeded.connect(rebuild_rollups_after_seeding, dispatch_uid="sales.rollups_rebuild")


def rebuild_rollups_after_seeding(sender, **kwargs):
    """seed_data's bulk inserts bypass the services, so the rollups are recomputed from the records."""
    from sales.rollups import rollups_rebuild

    rollups_rebuild()
