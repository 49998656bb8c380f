"""The fixed taxonomy of smart-city domains (ambiti): six from Giffinger et al. (2007) plus ICT.

The slugs are stable identifiers used in URLs, exports and the database; the names are translated.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Ambito(models.TextChoices):
    GOVERNANCE = "governance", _("Smart Governance")
    ECONOMY = "economy", _("Smart Economy")
    MOBILITY = "mobility", _("Smart Mobility")
    ENVIRONMENT = "environment", _("Smart Environment")
    PEOPLE = "people", _("Smart People")
    LIVING = "living", _("Smart Living")
    ICT = "ict", _("Smart ICT Infrastructures")


@dataclass(frozen=True)
class AmbitoInfo:
    slug: str
    name: Promise
    covers: Promise
    icon: str


_COVERS = {
    Ambito.GOVERNANCE: (_("Online services, transparency, active participation."), "it-pa"),
    Ambito.ECONOMY: (_("Processes supporting economic activities."), "it-chart-line"),
    Ambito.MOBILITY: (_("Transport, parking, cycling, traffic."), "it-car"),
    Ambito.ENVIRONMENT: (_("Energy, waste, water, sustainability."), "it-plug"),
    Ambito.PEOPLE: (_("Education, inclusion, digital skills."), "it-user"),
    Ambito.LIVING: (_("Quality of life, health, safety, housing, culture."), "it-star-outline"),
    Ambito.ICT: (_("Broadband, ultra-broadband, 5G, Wi-Fi, platforms, open and big data."), "it-wifi"),
}

AMBITI: tuple[AmbitoInfo, ...] = tuple(
    AmbitoInfo(slug=a.value, name=a.label, covers=_COVERS[a][0], icon=_COVERS[a][1]) for a in Ambito
)
