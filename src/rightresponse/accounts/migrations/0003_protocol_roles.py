"""The protocol studio's roles (issue 19) as auth groups."""

from django.db import migrations

ROLE_NAMES = ["protocol_author", "protocol_approver"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
