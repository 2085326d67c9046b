"""/api/: one router per app, analytics, schema and docs."""

urlpatterns = []
