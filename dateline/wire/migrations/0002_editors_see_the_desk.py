from django.db import migrations


def grant(apps, schema_editor):
    # Editors start stories from the wire, so they see the desk; providers stay with admins.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    item_type, _ = ContentType.objects.get_or_create(app_label="wire", model="wireitem")
    view, _ = Permission.objects.get_or_create(
        content_type=item_type, codename="view_wireitem", defaults={"name": "Can view wire item"}
    )
    for name in ("Editors", "Moderators"):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [
        ("wire", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
