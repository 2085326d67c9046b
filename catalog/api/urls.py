from rest_framework.routers import SimpleRouter

from catalog.api.views import ProductViewSet

app_name = "catalog-api"

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
urlpatterns = router.urls
