from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cittasmart.core.demo import prato
from cittasmart.core.services import site_settings_get, site_settings_update


class Command(BaseCommand):
    help = "Load the Prato demo instance (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with PRODUCTION=1 (the demo accounts share a known password).",
        )
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")

    def handle(self, *args, allow_production: bool = False, quiet_accounts: bool = False, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError("Refusing to load demo accounts in production (use --allow-production).")
        with transaction.atomic():
            changes = self._load()
        self.stdout.write(self.style.SUCCESS(f"Prato demo ready ({changes} change(s))."))
        if not quiet_accounts:
            self._print_accounts()

    def _load(self) -> int:
        from allauth.account.models import EmailAddress

        from cittasmart.accounts.models import User
        from cittasmart.accounts.services import user_privacy_accept, user_profile_update, user_role_set
        from cittasmart.stakeholders.models import Membership, Organisation
        from cittasmart.stakeholders.services import membership_set, organisation_create

        changes = 0
        site = site_settings_get()
        if any(getattr(site, k) != v for k, v in prato.SITE.items()):
            site_settings_update(actor=None, **prato.SITE)
            changes += 1

        for name, category, is_public_body, description in prato.ORGANISATIONS:
            if not Organisation.objects.filter(name__iexact=name).exists():
                organisation_create(
                    actor=None,
                    name=name,
                    category=category,
                    is_public_body=is_public_body,
                    description=description,
                )
                changes += 1

        for local, display_name, role, membership, _shows in prato.ACCOUNTS:
            email = f"{local}@{prato.DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, settings.DEMO_PASSWORD)
                user_profile_update(user=user, display_name=display_name)
                user_privacy_accept(user=user)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                if role is not None:
                    user_role_set(actor=None, user=user, role=role, granted=True)
                if role == prato.Role.ADMINISTRATOR:
                    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
                changes += 1
            if membership is not None:
                organisation = Organisation.objects.get(name=membership[0])
                if not Membership.objects.filter(
                    user=user, organisation=organisation, role=membership[1]
                ).exists():
                    membership_set(actor=None, organisation=organisation, email=email, role=membership[1])
                    changes += 1
        return changes

    def _print_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
        for local, _name, _role, _membership, shows in prato.ACCOUNTS:
            self.stdout.write(f"  {shows:<48} {local}@{prato.DEMO_DOMAIN}")
        self.stdout.write("")
