"""The analyst's pages: dashboard at /, then one page per record type."""

urlpatterns = []
