from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "novasaas.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from novasaas.billing import features, navigation  # noqa: F401
        from novasaas.platform.api import REQUEST_CHECKS
        from novasaas.platform.settings_actions import CHANGE_CHECKS

        if features.check_api_principal not in REQUEST_CHECKS:
            REQUEST_CHECKS.append(features.check_api_principal)
        if features.check_company_settings not in CHANGE_CHECKS:
            CHANGE_CHECKS.append(features.check_company_settings)
