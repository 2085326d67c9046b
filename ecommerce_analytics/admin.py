"""Admin plumbing: saves and deletes made in the admin go through the apps' services."""

from django.contrib import admin


class ServiceAdmin(admin.ModelAdmin):
    """Subclasses implement ``create``, ``update`` and ``delete`` by calling their services."""

    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over a million sales on every page is wasted work

    def create(self, data: dict):
        raise NotImplementedError

    def update(self, instance, data: dict):
        raise NotImplementedError

    def delete(self, instance):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            self.update(type(obj).objects.get(pk=obj.pk), data)
        else:
            created = self.create(dict(form.cleaned_data))
            obj.pk = created.pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        self.delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete(obj)
