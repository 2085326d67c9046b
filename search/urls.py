"""/search/ page and /api/search/ JSON."""

urlpatterns = []
