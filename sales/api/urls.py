from rest_framework.routers import SimpleRouter

from sales.api.views import SaleViewSet

app_name = "sales-api"

router = SimpleRouter()
router.register("sales", SaleViewSet, basename="sale")
urlpatterns = router.urls
