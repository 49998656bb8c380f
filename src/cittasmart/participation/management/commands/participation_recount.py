from django.core.management.base import BaseCommand, CommandError

from cittasmart.participation.models import Process
from cittasmart.participation.services import counters_recompute


class Command(BaseCommand):
    help = "Recompute the support and comment counters of the ideas from the rows they count."

    def add_arguments(self, parser):
        parser.add_argument("--process", metavar="SLUG", help="Only the ideas of this process.")

    def handle(self, *args, process: str | None = None, **options):
        target = None
        if process:
            target = Process.objects.filter(slug=process).first()
            if target is None:
                raise CommandError(f"No process with the address “{process}”.")
        fixed = counters_recompute(process=target)
        self.stdout.write(self.style.SUCCESS(f"{fixed} idea(s) had wrong counters and were fixed."))
