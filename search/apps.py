from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from core.signals import record_changed, records_seeded
        from search import sync

        record_changed.connect(sync.record_changed, dispatch_uid="search-record-changed")
        records_seeded.connect(sync.records_seeded, dispatch_uid="search-records-seeded")
