from django.core.management.base import BaseCommand

from cittasmart.participation.tasks import enqueue_daily_digests


class Command(BaseCommand):
    help = (
        "Send the daily digest of notifications to the people who asked for one (run it once a day, from cron). "
        "People with nothing new get no e-mail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Send the digests here instead of enqueuing background tasks."
        )

    def handle(self, *args, now: bool = False, **options):
        count = enqueue_daily_digests(now=now)
        if now:
            self.stdout.write(self.style.SUCCESS(f"{count} digest(s) sent."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} digest(s) enqueued."))
