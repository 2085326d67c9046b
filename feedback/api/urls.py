from rest_framework.routers import SimpleRouter

from feedback.api.views import FeedbackViewSet

app_name = "feedback-api"

router = SimpleRouter()
router.register("feedback", FeedbackViewSet, basename="feedback")
urlpatterns = router.urls
