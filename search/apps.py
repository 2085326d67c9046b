from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from ecommerce_analytics.signals import records_seeded
        from search import records, sync

        for rt in records.RECORD_TYPES.values():
            post_save.connect(sync.record_saved, sender=rt.model_label, dispatch_uid=f"search-save-{rt.name}")
            post_delete.connect(
                sync.record_deleted, sender=rt.model_label, dispatch_uid=f"search-delete-{rt.name}"
            )
        records_seeded.connect(sync.records_seeded, dispatch_uid="search-records-seeded")
