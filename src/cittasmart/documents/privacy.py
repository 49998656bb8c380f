"""GDPR: what the document library stores about a person, to export it and to erase it (see ``accounts/gdpr.py``).

The library stores the person's downloads of reserved documents (which document, which version, when). Erasure
keeps those rows: the log says who could read a reserved document and did, and it now points to the anonymised
account, as audit entries do. Documents and news written by the plan office keep their anonymised author too.
"""

from typing import Any

from cittasmart.documents.models import Download


def export(user) -> dict[str, Any]:
    downloads = (
        Download.objects.filter(user=user).select_related("document", "version").order_by("created_at")
    )
    return {
        "downloads": [
            {
                "document": download.document.title,
                "version": download.version.number,
                "downloaded_at": download.created_at.isoformat(),
            }
            for download in downloads
        ]
    }


def erase(user) -> None:
    """Nothing to remove: the download log stays, pointing to the anonymised account."""
