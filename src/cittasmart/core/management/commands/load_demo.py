from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cittasmart.core.demo import prato
from cittasmart.core.registry import demo_loaders


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
            changes = sum(load() for load in demo_loaders())
        self.stdout.write(self.style.SUCCESS(f"Prato demo ready ({changes} change(s))."))
        if not quiet_accounts:
            self.stdout.write("")
            self.stdout.write(f"Demo accounts (password: {settings.DEMO_PASSWORD}):")
            for local, _name, _role, _membership, shows in prato.ACCOUNTS:
                self.stdout.write(f"  {shows:<48} {local}@{prato.DEMO_DOMAIN}")
            self.stdout.write("")
