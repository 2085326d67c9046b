"""Admin plumbing: saves and deletes go through the apps' services, and the big lists (sales,
feedback) never join per row: on MongoDB a join is a ``$lookup`` over every matching document."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import connections

from core.filtersets import SEARCH_MAX_LENGTH
from core.selectors import attach_related


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget queries the submitted value to show it again: a value that is no
    id at all (``=``, ``abc`` on SQLite) raised ValueError there, a 500 on the redisplayed form. Such
    values are dropped before the query; the form already says the choice is invalid."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", remote.model._meta.pk.attname))
        try:  # an integer id past the column's range overflows the query too (SQLite)
            low, high = connections[self.db or "default"].ops.integer_field_range(target.get_internal_type())
        except (KeyError, NotImplementedError):
            low = high = None
        valid = []
        for v in value:
            try:
                prepared = target.get_prep_value(target.to_python(v))
            except (ValidationError, ValueError, TypeError):
                continue
            if isinstance(prepared, int) and (low is not None and prepared < low or high is not None and prepared > high):
                continue
            valid.append(v)
        return super().optgroups(name, valid, attr)


class PageRelatedChangeList(ChangeList):
    """Loads the rows a page points to (``related_on_page``) in one query each, after paging."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = attach_related(self.result_list, *self.model_admin.related_on_page)


class ServiceAdmin(admin.ModelAdmin):
    """Subclasses implement ``create``, ``update`` and ``delete`` by calling their services."""

    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over a million sales on every page is wasted work
    related_on_page: tuple[str, ...] = ()
    # Searches through the app's FilterSet ``search`` (matching ids first) when set.
    search_filterset = None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changelist(self, request, **kwargs):
        return PageRelatedChangeList if self.related_on_page else super().get_changelist(request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        if self.search_filterset is None or not search_term:
            return super().get_search_results(request, queryset, search_term)
        filterset = self.search_filterset(queryset=queryset)
        return filterset.filter_search(queryset, "search", search_term[:SEARCH_MAX_LENGTH]), False

    # Django's admin runs a POST to the add/change and delete views inside django.db.transaction.atomic().
    # On MongoDB that block does nothing (django-mongodb-backend has no Django transactions) but still
    # marks one as open, so the services' own MongoDB transaction (core.db.atomic)
    # commits and then fails running its on-commit hooks: TransactionManagementError ("forbidden when
    # an 'atomic' block is active"), a 500 for a saved record and no search update. There the services'
    # transaction is the one that makes the write all-or-nothing, so the admin's is left out.
    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if not settings.USING_MONGODB:
            return super().changeform_view(request, object_id, form_url, extra_context)
        return self._changeform_view(request, object_id, form_url, extra_context)

    @csrf_protect_m
    def delete_view(self, request, object_id, extra_context=None):
        if not settings.USING_MONGODB:
            return super().delete_view(request, object_id, extra_context)
        return self._delete_view(request, object_id, extra_context)

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
