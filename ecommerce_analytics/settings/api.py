"""Django REST framework, django-filter and drf-spectacular settings (values come from base)."""
