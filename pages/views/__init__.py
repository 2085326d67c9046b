"""One module per record type; ``pages.urls`` puts them under the record types' URL namespaces."""
