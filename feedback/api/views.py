from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api.pagination import KeysetCursorPagination
from core.api.viewsets import RecordViewSet
from feedback.api.serializers import FeedbackSerializer
from feedback.filters import FeedbackFilter
from feedback.selectors import feedback_list
from feedback.services import FEEDBACK_FIELDS, feedback_create, feedback_delete, feedback_update


@extend_schema_view(
    list=extend_schema(
        summary="List feedback",
        description="Cursor-paged (follow `next` / `previous`); `?format=csv` exports every match.",
    ),
)
class FeedbackViewSet(RecordViewSet):
    """Customers' ratings (1–5) and comments on products."""

    queryset = feedback_list()
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    pagination_class = KeysetCursorPagination
    related = ("product", "customer")
    csv_name = "feedback"

    def create_record(self, data):
        return feedback_create(**{k: v for k, v in data.items() if k in FEEDBACK_FIELDS})

    def update_record(self, instance, data):
        return feedback_update(feedback=instance, data=data)

    def delete_record(self, instance):
        feedback_delete(feedback=instance)
