from django.apps import AppConfig


class KibanaConfig(AppConfig):
    """Kibana's saved objects for the search indices, and ``manage.py kibana_import`` to load them."""

    name = "kibana"
    verbose_name = "Kibana"
