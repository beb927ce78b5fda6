"""Create one auth group per role so the admin can assign roles."""

from django.db import migrations

ROLE_NAMES = [
    "call_taker",
    "dispatcher",
    "responder",
    "supervisor",
    "analyst",
    "service_provider",
    "administrator",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
