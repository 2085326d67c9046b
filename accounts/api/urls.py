from rest_framework.routers import SimpleRouter

from accounts.api.views import CustomerViewSet

app_name = "accounts-api"

router = SimpleRouter()
router.register("users", CustomerViewSet, basename="customer")
urlpatterns = router.urls
