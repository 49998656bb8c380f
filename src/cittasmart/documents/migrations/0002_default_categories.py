"""The categories a plan's library starts with (the sections of the plan's site); the administrators can rename,
reorder or add to them."""

from django.db import migrations

DEFAULTS = [
    ("indagine", "Indagine", "Il censimento dei progetti dell'amministrazione e delle aziende partecipate."),
    ("schema-preliminare", "Schema preliminare", "La prima stesura del piano."),
    ("linee-attuative", "Linee guida e linee attuative", "Il piano approvato e le sue azioni."),
    ("governance", "Struttura di governance", "Gli organi che guidano il piano, i loro atti e decisioni."),
    ("evoluzione-del-piano", "Evoluzione del piano", "Le note di aggiornamento e le nuove versioni del piano."),
    ("stakeholders", "Stakeholders", "Documenti per e dai soggetti che partecipano al piano."),
    ("verbali", "Verbali", "Verbali di incontri, tavoli e organi di governance."),
    ("altro", "Altro", ""),
]


def create(apps, schema_editor):
    Category = apps.get_model("documents", "DocumentCategory")
    for order, (slug, name, description) in enumerate(DEFAULTS, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
