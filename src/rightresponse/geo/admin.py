from django.contrib import admin

from .models import AddressPoint, Boundary


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ("layer", "name", "source", "imported_at")
    list_filter = ("layer",)


@admin.register(AddressPoint)
class AddressPointAdmin(admin.ModelAdmin):
    list_display = ("address", "latitude", "longitude", "source")
    search_fields = ("key", "address")
