from django.contrib import admin

from rightresponse.accounts.admin import AuditedAdmin

from .models import Person


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    """People the user may open (core.visibility: owner agency, consent, administrators),
    read-only, every view in the person's access log."""

    list_display = ["__str__", "owner_agency", "preferred_language", "is_protected_victim"]
    list_filter = ["owner_agency", "is_protected_victim"]
    search_fields = ["family_name", "given_name", "phone"]

    def visible_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        from rightresponse.ecosystem.sharing import people_visible

        return people_visible(request.user, queryset)

    def audited_person_id(self, obj):  # type: ignore[no-untyped-def]
        return obj.pk
