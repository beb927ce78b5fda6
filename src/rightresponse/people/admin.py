from django.contrib import admin

from .models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner_agency", "preferred_language", "is_protected_victim"]
    list_filter = ["owner_agency", "is_protected_victim"]
    search_fields = ["family_name", "given_name", "phone"]
