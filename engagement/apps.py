from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self):
        # Payments may not import engagement: it asks for legal names through this provider.
        from engagement.services.privacy import legal_names_for_payment
        from payments.payees import legal_name_provider_register

        legal_name_provider_register(legal_names_for_payment)
