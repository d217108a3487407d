from django.db import migrations

from novasaas.platform.rls import EnableRLS


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_initial"), ("platform", "0002_security")]

    operations = [
        EnableRLS("Membership"),
        EnableRLS("Role"),
        EnableRLS("RolePermission"),
        EnableRLS("MembershipRole"),
        EnableRLS("Invitation"),
        EnableRLS("ApiKey"),
        EnableRLS("RefreshToken"),
    ]
