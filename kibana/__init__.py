"""Kibana's side of the "at scale" stack: saved_objects.ndjson and the command that imports it.

This app reads only ``django.conf.settings`` (KIBANA_URL, ELASTICSEARCH_INDEX_PREFIX); it imports no
other app of the project.
"""
