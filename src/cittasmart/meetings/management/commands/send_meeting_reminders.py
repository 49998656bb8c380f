from django.core.management.base import BaseCommand

from cittasmart.meetings.tasks import enqueue_reminders


class Command(BaseCommand):
    help = (
        "Remind the people with a confirmed seat of the meetings that start in 12 to 36 hours (run it from cron, "
        "every hour or once a day). Nobody is reminded twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send the reminders here instead of enqueuing background tasks.",
        )

    def handle(self, *args, now: bool = False, **options):
        count = enqueue_reminders(now=now)
        if now:
            self.stdout.write(self.style.SUCCESS(f"{count} reminder(s) sent."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{count} reminder(s) enqueued."))
