"""Meetings in the Prato demo: the Toscana Digitale 2018 tour and an upcoming Smart Living Lab in Prato.

What is real and what is invented:

- Real (public facts): the tour "Toscana Digitale 2018" promoted by Regione Toscana with ANCI Toscana, Confservizi
  CISPEL Toscana and Fondazione Sistema Toscana; its ten free stops, one per province, with their dates; the venues
  that are known (Lucca, Prato, Grosseto, Livorno, Arezzo, Pisa); the four themes of the working groups; the Prato
  time (9:30–13:30).
- Invented, and said so in every description: the times of the other stops (9:30–13:30), the registration windows,
  the coordinates (approximate: the venue in Prato, the city centre elsewhere), the municipality of the
  Massa-Carrara stop, the Prato programme, its registrations, contributions, minutes and report, the participatory
  process that collected the tour's ideas, and the whole Smart Living Lab meeting (PR-TRA8 "Smart Living Labs" is a
  real action of the plan; this meeting is not).

Everything this loader creates is marked ``is_demo`` (tour, meetings, registrations, contributions, the ideas they
became, the process): even the real skeleton carries invented details. The people are the demo accounts (the
"Facilitatrice (demo)" runs the groups) or invented names marked "(demo)" on the reserved demo domain.

The Prato stop is over, so registration is closed: its registrations are written directly, with consistent states
and dates; what the facilitator did there (contributions that become ideas, minutes, the report) goes through
``meetings.services`` as it would on the day, and is then dated 29 June 2018. The Smart Living Lab is placed three
weeks ahead of the first load, and a later load that finds its registration closed moves it ahead again; its
registrations go through ``services.registration_create`` so that the seats are counted as for everyone.

``load`` creates only what is missing (matched by slug) and returns how many things it changed: a second run on the
same day returns 0.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from cittasmart.accounts.models import User
from cittasmart.core.demo import prato
from cittasmart.core.markup import render_markdown
from cittasmart.core.roles import Role, has_role
from cittasmart.meetings import services
from cittasmart.meetings.models import (
    AgendaItem,
    Attribution,
    Contribution,
    Meeting,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
    Theme,
    Tour,
    WorkingGroup,
)
from cittasmart.participation import services as participation_services
from cittasmart.participation.models import Idea, PhaseKind, Process
from cittasmart.stakeholders.models import Organisation
from cittasmart.stakeholders.services import organisation_create

ROME = ZoneInfo("Europe/Rome")

TOUR_SLUG = "toscana-digitale-2018"
PROCESS_SLUG = "toscana-digitale-2018-proposte"
PRATO_SLUG = "toscana-digitale-2018-prato"
LIVING_LAB_SLUG = "prato-smart-living-lab"
AGENDA_DIGITALE_SLUG = "agenda-digitale"  # the open process of ``participation.demo``

FACILITATOR = "facilitatrice"
PLAN_OFFICE = "ufficio.piano"
CITIZEN = "cittadino"

DEMO_LINE = "*Esempio dimostrativo: contenuto inventato per la demo di Prato.*"


def demo_email(local: str) -> str:
    return f"{local}@{prato.DEMO_DOMAIN}"


def _rome(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ROME)


# --- Themes ---------------------------------------------------------------------------------------------

# (slug, name, description): the four themes of Toscana Digitale 2018, plus one for the Smart Living Lab.
THEMES = [
    (
        "infrastrutture-piattaforme-digitali",
        "Infrastrutture e piattaforme digitali",
        "Banda ultralarga, reti wireless, data center e piattaforme abilitanti (SPID, pagoPA, ANPR).",
    ),
    (
        "servizi-online-open-toscana",
        "Servizi online e Open Toscana",
        "I servizi pubblici in rete e Open Toscana, il portale dei servizi e dei dati aperti della Regione.",
    ),
    (
        "smart-cities",
        "Smart cities",
        "Dati, sensori e servizi per città più efficienti, sostenibili e vivibili.",
    ),
    (
        "nuova-comunicazione-pubblica",
        "Nuova comunicazione pubblica",
        "Come le amministrazioni informano e ascoltano cittadini e imprese con i canali digitali.",
    ),
    (
        "smart-living",
        "Smart Living",
        "Qualità della vita, salute, abitare, cultura e competenze digitali nella vita quotidiana.",
    ),
]
TOUR_THEMES = [slug for slug, _name, _description in THEMES[:4]]
LIVING_THEME = "smart-living"


def _themes() -> tuple[dict[str, Theme], int]:
    themes, changes = {}, 0
    for slug, name, description in THEMES:
        theme = Theme.objects.filter(slug=slug).first()
        if theme is None:
            theme = Theme(slug=slug, name=name, description=description)
            theme.full_clean()
            theme.save()
            changes += 1
        themes[slug] = theme
    return themes, changes


# --- Organisations and people ---------------------------------------------------------------------------

REGIONE = "Regione Toscana"
TOUR_ORGANISERS = [REGIONE, "ANCI Toscana", "Confservizi CISPEL Toscana", "Fondazione Sistema Toscana"]


def _organisations(names: list[str]) -> tuple[dict[str, Organisation], int]:
    """The organisations of the demo (``stakeholders.demo`` makes them first); made here only if missing."""
    facts = {
        name: (category, public, description) for name, category, public, description in prato.ORGANISATIONS
    }
    found, changes = {}, 0
    for name in names:
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            category, is_public_body, description = facts[name]
            organisation = organisation_create(
                actor=None,
                name=name,
                category=category,
                is_public_body=is_public_body,
                is_host_entity=name == prato.HOST_ENTITY,
                description=description,
            )
            changes += 1
        found[name] = organisation
    return found, changes


def _demo_user(local: str, role: Role | None = None) -> User | None:
    user = User.objects.filter(email=demo_email(local), is_active=True).first()
    if user is None or (role is not None and not has_role(user, role)):
        return None
    return user


# --- The participatory process of the tour --------------------------------------------------------------

PROCESS = {
    "title": "Toscana Digitale 2018 – le proposte dal territorio",
    "summary": (
        "Le richieste e le idee raccolte nei gruppi di lavoro del tour Toscana Digitale 2018. Concluso. "
        "Esempio dimostrativo."
    ),
    "description": (
        "Nel 2018 Regione Toscana, con ANCI Toscana, Confservizi CISPEL Toscana e Fondazione Sistema Toscana, ha "
        "percorso le dieci province con il tour **Toscana Digitale**: incontri gratuiti e aperti a tutti, in gruppi "
        "di lavoro su quattro temi, per raccogliere richieste e idee di enti pubblici, imprese e cittadini.\n\n"
        "Qui i contributi raccolti dai facilitatori diventano idee, ciascuna con l'incontro e il gruppo in cui è "
        "stata detta.\n\n"
        "*Esempio dimostrativo: il tour e le sue date sono reali; questo processo, le sue fasi e i contributi sono "
        "inventati per mostrare la piattaforma.*"
    ),
    "ambiti": ["ict", "governance", "people", "environment", "mobility"],
}
PROCESS_PHASES = [
    (PhaseKind.INFORMATION, datetime.date(2018, 5, 1), datetime.date(2018, 5, 31)),
    (PhaseKind.COLLECTING, datetime.date(2018, 6, 1), datetime.date(2018, 10, 12)),
    (PhaseKind.EVALUATION, datetime.date(2018, 10, 13), datetime.date(2018, 12, 31)),
    (PhaseKind.FEEDBACK, datetime.date(2019, 1, 1), datetime.date(2019, 6, 30)),
]


def _tour_process(office: User | None, organiser: Organisation | None) -> tuple[Process | None, int]:
    process = Process.objects.filter(slug=PROCESS_SLUG).first()
    if process is not None or office is None:
        return process, 0
    process = participation_services.process_save(
        actor=office,
        title=PROCESS["title"],
        slug=PROCESS_SLUG,
        summary=PROCESS["summary"],
        description=PROCESS["description"],
        organiser=organiser,
        is_published=True,
        is_demo=True,
        ambiti=PROCESS["ambiti"],
    )
    changes = 1
    for kind, starts_on, ends_on in PROCESS_PHASES:
        participation_services.phase_save(
            actor=office,
            process=process,
            kind=kind,
            description="Esempio dimostrativo.",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        changes += 1
    return process, changes


# --- The tour and its ten stops -------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    territory: str  # the province
    municipality: str
    day: datetime.date
    venue: str  # empty where the sources do not say
    address: str
    latitude: str
    longitude: str

    @property
    def slug(self) -> str:
        return f"{TOUR_SLUG}-{self.territory.lower().replace(' ', '-')}"


STOPS = [
    Stop(
        "Lucca", "Lucca", datetime.date(2018, 6, 1), "Polo Tecnologico Lucchese", "", "43.843000", "10.502700"
    ),
    Stop(
        "Prato",
        "Prato",
        datetime.date(2018, 6, 29),
        "Museo del Tessuto",
        "Via Puccetti 3",
        "43.877600",
        "11.093400",
    ),
    Stop(
        "Grosseto", "Grosseto", datetime.date(2018, 7, 2), "Camera di commercio", "", "42.760300", "11.113600"
    ),
    Stop(
        "Livorno", "Livorno", datetime.date(2018, 7, 6), "Cisternino di Città", "", "43.548500", "10.310600"
    ),
    Stop("Pistoia", "Pistoia", datetime.date(2018, 9, 7), "", "", "43.933500", "10.917300"),
    Stop("Firenze", "Firenze", datetime.date(2018, 9, 14), "", "", "43.769600", "11.255800"),
    Stop("Arezzo", "Arezzo", datetime.date(2018, 9, 21), "Casa dell'Energia", "", "43.463300", "11.879700"),
    Stop("Massa-Carrara", "Massa", datetime.date(2018, 9, 28), "", "", "44.035400", "10.139800"),
    Stop("Siena", "Siena", datetime.date(2018, 10, 5), "", "", "43.318600", "11.330600"),
    Stop("Pisa", "Pisa", datetime.date(2018, 10, 12), "Internet Festival", "", "43.716000", "10.401800"),
]

TOUR = {
    "title": "Toscana Digitale 2018",
    "summary": (
        "Dieci incontri gratuiti, uno per provincia, in gruppi di lavoro su quattro temi, per raccogliere "
        "richieste e idee sulla Toscana digitale."
    ),
    "description": (
        "**Toscana Digitale 2018** è il tour promosso da Regione Toscana con ANCI Toscana, Confservizi CISPEL "
        "Toscana e Fondazione Sistema Toscana: dieci incontri gratuiti, uno per provincia, aperti a chiunque previa "
        "registrazione, da giugno a ottobre 2018.\n\n"
        "In ogni incontro i partecipanti lavorano in quattro gruppi:\n\n"
        "- infrastrutture e piattaforme digitali;\n"
        "- servizi online e Open Toscana;\n"
        "- smart cities;\n"
        "- nuova comunicazione pubblica.\n\n"
        "Lo scopo è raccogliere richieste e idee di enti pubblici, imprese e cittadini per l'agenda digitale "
        "regionale.\n\n"
        "*Esempio dimostrativo: promotori, tappe, date, sedi note e temi sono reali; gli orari (tranne Prato), le "
        "finestre di registrazione, le coordinate e i contenuti degli incontri sono inventati o indicativi.*"
    ),
}


def _stop_description(stop: Stop) -> str:
    """What the stop was, and which of its details are real and which are invented or approximate."""
    is_prato = stop.territory == "Prato"
    where = f" ({stop.venue})" if stop.venue else ""
    real = ["data"] + (["sede"] if stop.venue else []) + (["orario (9:30–13:30)"] if is_prato else [])
    invented = [] if is_prato else ["orario"]
    invented += ["finestra di registrazione", "coordinate (approssimative)"]
    if not stop.venue:
        invented.append("sede (non indicata)")
    if stop.municipality != stop.territory:
        invented.append(f"comune ({stop.municipality}, indicativo)")
    if is_prato:
        invented += ["programma", "registrazioni", "contributi", "verbali e resoconto"]
    return (
        f"La tappa di **{stop.territory}**{where} del tour Toscana Digitale 2018: un incontro gratuito e aperto a "
        "tutti, previa registrazione, in quattro gruppi di lavoro — infrastrutture e piattaforme digitali, servizi "
        "online e Open Toscana, smart cities, nuova comunicazione pubblica — per raccogliere richieste e idee di "
        "enti pubblici, imprese e cittadini.\n\n"
        f"*Esempio dimostrativo. Reali: {', '.join(real)}. Inventati o indicativi: {', '.join(invented)}.*"
    )


def _tour(themes: dict[str, Theme], organisers: list[Organisation]) -> tuple[Tour, int]:
    tour = Tour.objects.filter(slug=TOUR_SLUG).first()
    if tour is not None:
        return tour, 0
    tour = Tour(
        slug=TOUR_SLUG,
        title=TOUR["title"],
        summary=TOUR["summary"],
        description=TOUR["description"],
        description_html=render_markdown(TOUR["description"]),
        is_published=True,
        is_demo=True,
    )
    tour.full_clean()
    tour.save()
    tour.organisers.set(organisers)
    tour.themes.set([themes[slug] for slug in TOUR_THEMES])
    return tour, 1


def _meeting(slug: str, *, organisers: list[Organisation], **fields) -> tuple[Meeting, int]:
    meeting = Meeting.objects.filter(slug=slug).first()
    if meeting is not None:
        return meeting, 0
    meeting = Meeting(slug=slug, is_published=True, is_demo=True, **fields)
    meeting.description_html = render_markdown(meeting.description)
    meeting.full_clean()
    meeting.save()
    meeting.organisers.set(organisers)
    return meeting, 1


def _groups(meeting: Meeting, specs: list[tuple[Theme, str, int | None]]) -> tuple[list[WorkingGroup], int]:
    groups, changes = [], 0
    for order, (theme, title, capacity) in enumerate(specs, start=1):
        group = WorkingGroup.objects.filter(meeting=meeting, theme=theme).first()
        if group is None:
            group = WorkingGroup(meeting=meeting, theme=theme, title=title, capacity=capacity, order=order)
            group.full_clean()
            group.save()
            changes += 1
        groups.append(group)
    return groups, changes


def _facilitate(groups: list[WorkingGroup], facilitator: User | None) -> int:
    changes = 0
    for group in groups:
        if facilitator is not None and not group.facilitators.filter(pk=facilitator.pk).exists():
            group.facilitators.add(facilitator)
            changes += 1
    return changes


def _agenda(meeting: Meeting, items: list[tuple[datetime.time, str, str]]) -> int:
    if meeting.agenda.exists():
        return 0
    for starts_at, title, speakers in items:
        item = AgendaItem(meeting=meeting, starts_at=starts_at, title=title, speakers=speakers)
        item.full_clean()
        item.save()
    return len(items)


def _stops(
    tour: Tour, themes: dict[str, Theme], organisers: list[Organisation], process: Process | None
) -> tuple[dict[str, Meeting], int]:
    meetings, changes = {}, 0
    for stop in STOPS:
        starts_at = _rome(stop.day, 9, 30)
        meeting, changed = _meeting(
            stop.slug,
            organisers=organisers,
            tour=tour,
            process=process,
            title=f"Toscana Digitale 2018 – {stop.territory}",
            summary=(
                f"La tappa di {stop.territory} del tour Toscana Digitale: gruppi di lavoro su infrastrutture, "
                "servizi online, smart cities e comunicazione pubblica."
            ),
            description=_stop_description(stop),
            venue_name=stop.venue,
            address=stop.address,
            municipality=stop.municipality,
            territory=stop.territory,
            latitude=Decimal(stop.latitude),
            longitude=Decimal(stop.longitude),
            starts_at=starts_at,
            ends_at=_rome(stop.day, 13, 30),
            registration_opens_at=_rome(stop.day - datetime.timedelta(days=28), 10),
            registration_closes_at=_rome(stop.day - datetime.timedelta(days=1), 18),
        )
        changes += changed
        if process is not None and meeting.process_id is None:
            Meeting.objects.filter(pk=meeting.pk).update(process=process)
            meeting.process = process
            changes += 1
        _groups_made, changed = _groups(meeting, [(themes[slug], "", None) for slug in TOUR_THEMES])
        changes += changed
        meetings[stop.territory] = meeting
    return meetings, changes


# --- The Prato stop: registrations, contributions, minutes, report --------------------------------------

PRATO_DAY = datetime.date(2018, 6, 29)

PRATO_AGENDA = [
    (datetime.time(9, 30), "Registrazione e accoglienza dei partecipanti", ""),
    (
        datetime.time(9, 45),
        "Saluti e presentazione del percorso Toscana Digitale",
        "Regione Toscana, ANCI Toscana",
    ),
    (datetime.time(10, 15), "Lavoro nei quattro gruppi tematici", "Facilitatrice (demo)"),
    (datetime.time(12, 30), "Restituzione in plenaria: ogni gruppo presenta le sue proposte", ""),
    (datetime.time(13, 15), "Conclusioni e prossimi passi", ""),
]


@dataclass(frozen=True)
class DemoRegistration:
    key: str
    name: str
    group: str  # theme slug
    organisation_name: str = ""
    category: str = ""
    checked_in: bool = False
    cancelled: bool = False
    account: str = ""  # a demo account (the registration was made while logged in)


PRATO_REGISTRATIONS = [
    DemoRegistration(
        "chiara.td2018", "Chiara P. (demo)", TOUR_THEMES[0], "Studio tecnico (demo)", "enterprise", True
    ),
    DemoRegistration("marco.td2018", "Marco L. (demo)", TOUR_THEMES[0], "", "", True),
    DemoRegistration("sara.td2018", "Sara F. (demo)", TOUR_THEMES[0], "Impresa tessile (demo)", "enterprise"),
    DemoRegistration(CITIZEN, "Cittadino (demo)", TOUR_THEMES[1], checked_in=True, account=CITIZEN),
    DemoRegistration(
        "elena.td2018", "Elena G. (demo)", TOUR_THEMES[1], "Ufficio comunale (demo)", "public_body", True
    ),
    DemoRegistration("paolo.td2018", "Paolo N. (demo)", TOUR_THEMES[1], cancelled=True),
    DemoRegistration("wei.td2018", "Wei Z. (demo)", TOUR_THEMES[1]),
    DemoRegistration(
        "giulia.td2018",
        "Giulia T. (demo)",
        TOUR_THEMES[2],
        "Associazione di quartiere (demo)",
        "third_sector",
        True,
    ),
    DemoRegistration(
        "andrea.td2018", "Andrea C. (demo)", TOUR_THEMES[2], "Università (demo)", "university_research", True
    ),
    DemoRegistration("roberta.td2018", "Roberta V. (demo)", TOUR_THEMES[2]),
    DemoRegistration(
        "simone.td2018",
        "Simone B. (demo)",
        TOUR_THEMES[3],
        "Cooperativa sociale (demo)",
        "third_sector",
        True,
    ),
    DemoRegistration("laura.td2018", "Laura D. (demo)", TOUR_THEMES[3], "", "", True),
    DemoRegistration(
        "fabio.td2018", "Fabio R. (demo)", TOUR_THEMES[3], "Scuola secondaria (demo)", "public_body"
    ),
]

# Per theme: (text, ambito, registration key or "" for an unregistered participant).
PRATO_CONTRIBUTIONS = {
    TOUR_THEMES[0]: [
        (
            "Portare la fibra ottica in tutte le aree produttive del Macrolotto. Le imprese tessili scambiano "
            "campionari e file pesanti ogni giorno e oggi dipendono da collegamenti lenti e costosi.",
            "ict",
            "chiara.td2018",
        ),
        (
            "Una sola piattaforma per i pagamenti dei servizi comunali, integrata con pagoPA. Oggi ogni ufficio "
            "ha il suo modo di pagare e le ricevute arrivano in modi diversi.",
            "ict",
            "",
        ),
    ],
    TOUR_THEMES[1]: [
        (
            "Pubblicare su Open Toscana i dati dei servizi comunali in formati aperti e aggiornati. Scuole e "
            "sviluppatori potrebbero usarli per app e ricerche.",
            "governance",
            "elena.td2018",
        ),
        (
            "Sportelli di aiuto per attivare SPID nelle biblioteche e nei centri civici. Molte persone rinunciano "
            "ai servizi online perché non riescono a ottenere le credenziali.",
            "people",
            CITIZEN,
        ),
    ],
    TOUR_THEMES[2]: [
        (
            "Sensori per la qualità dell'aria vicino alle scuole, con i dati pubblicati in tempo reale. Le famiglie "
            "e le scuole potrebbero scegliere i percorsi casa-scuola meno esposti.",
            "environment",
            "giulia.td2018",
        ),
        (
            "Informazioni in tempo reale sui posti liberi nei parcheggi scambiatori. Meno auto in giro a cercare "
            "parcheggio vicino al centro.",
            "mobility",
            "andrea.td2018",
        ),
    ],
    TOUR_THEMES[3]: [
        (
            "Spiegare i servizi digitali anche sui social del Comune, con un linguaggio semplice e brevi video. "
            "Molti non sanno che certi certificati si possono già scaricare online.",
            "governance",
            "simone.td2018",
        ),
        (
            "Materiali sui servizi online in più lingue, a partire dal cinese. A Prato una parte importante della "
            "popolazione non legge bene l'italiano.",
            "people",
            "",
        ),
    ],
}

PRATO_MINUTES = {
    TOUR_THEMES[0]: (
        "**Partecipanti:** imprese, professionisti e cittadini; facilitatrice del gruppo.\n\n"
        "Il gruppo ha discusso la copertura in banda ultralarga delle aree produttive e l'integrazione delle "
        "piattaforme nazionali (SPID, pagoPA) nei servizi comunali.\n\n"
        "- priorità alla fibra nelle aree industriali;\n"
        "- un unico punto di pagamento per i servizi comunali.\n\n"
    ),
    TOUR_THEMES[1]: (
        "**Partecipanti:** cittadini e dipendenti pubblici; facilitatrice del gruppo.\n\n"
        "Il gruppo ha parlato dei servizi online più usati e degli ostacoli all'accesso, a partire da SPID, e dei "
        "dati che il Comune potrebbe pubblicare su Open Toscana.\n\n"
        "- dati aperti e aggiornati sui servizi;\n"
        "- assistenza di persona per chi non riesce ad attivare SPID.\n\n"
    ),
    TOUR_THEMES[2]: (
        "**Partecipanti:** associazioni, università e cittadini; facilitatrice del gruppo.\n\n"
        "Il gruppo ha proposto usi dei sensori e dei dati urbani per l'ambiente e la mobilità.\n\n"
        "- qualità dell'aria vicino alle scuole;\n"
        "- posti liberi nei parcheggi scambiatori in tempo reale.\n\n"
    ),
    TOUR_THEMES[3]: (
        "**Partecipanti:** terzo settore, scuole e cittadini; facilitatrice del gruppo.\n\n"
        "Il gruppo ha discusso come far conoscere i servizi digitali a chi oggi non li usa.\n\n"
        "- linguaggio semplice e video brevi sui canali social;\n"
        "- materiali in più lingue.\n\n"
    ),
}

PRATO_REPORT = (
    "L'incontro di Prato, al Museo del Tessuto, si è svolto dalle 9:30 alle 13:30 in quattro gruppi di lavoro. "
    "Dopo i saluti e la presentazione del percorso, ogni gruppo ha discusso per circa due ore; in plenaria i "
    "facilitatori hanno riassunto le proposte.\n\n"
    "Le proposte raccolte sono pubblicate come idee nel processo *Toscana Digitale 2018 – le proposte dal "
    "territorio*, ciascuna con il gruppo in cui è stata detta. I verbali dei gruppi seguono.\n\n"
    "Temi ricorrenti:\n\n"
    "- connettività per le aree produttive;\n"
    "- servizi online più semplici e assistenza per SPID;\n"
    "- dati aperti su ambiente e mobilità;\n"
    "- comunicazione chiara e in più lingue.\n\n"
)


def _prato_registrations(meeting: Meeting, groups: dict[str, WorkingGroup], facilitator: User | None) -> int:
    """Registration closed long ago: the rows are written directly, as the services would have left them."""
    if Registration.objects.filter(meeting=meeting).exists():
        return 0
    changes = 0
    for index, spec in enumerate(PRATO_REGISTRATIONS):
        user = _demo_user(spec.account) if spec.account else None
        if spec.account and user is None:
            continue  # the demo account is not there: nobody registered in its place
        registered = _rome(datetime.date(2018, 6, 4) + datetime.timedelta(days=index), 10, 15)
        registration = Registration(
            meeting=meeting,
            group=groups[spec.group],
            user=user,
            name=user.public_name if user is not None else spec.name,
            email=user.email if user is not None else demo_email(spec.key),
            organisation_name=spec.organisation_name,
            organisation_category=spec.category,
            status=RegistrationStatus.CANCELLED if spec.cancelled else RegistrationStatus.CONFIRMED,
            queued_at=registered,
            confirmed_at=registered,
            cancelled_at=_rome(PRATO_DAY - datetime.timedelta(days=2), 17, 40) if spec.cancelled else None,
            checked_in_at=_rome(PRATO_DAY, 9, 20 + index) if spec.checked_in else None,
            checked_in_by=facilitator if spec.checked_in else None,
            is_demo=True,
        )
        registration.full_clean()
        registration.save()
        Registration.objects.filter(pk=registration.pk).update(created_at=registered, updated_at=registered)
        changes += 1
    return changes


def _prato_contributions(meeting: Meeting, groups: dict[str, WorkingGroup], facilitator: User) -> int:
    if meeting.process_id is None:
        return 0
    by_key = {}
    for registration in Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED):
        key = registration.email.split("@")[0]
        by_key[key] = registration
    changes = 0
    said_at = _rome(PRATO_DAY, 11, 0)
    for slug, specs in PRATO_CONTRIBUTIONS.items():
        group = groups[slug]
        if group.contributions.exists():
            continue
        rows = []
        for text, ambito, key in specs:
            registration = by_key.get(key) if key else None
            row = {"text": f"{text}\n\n{DEMO_LINE}", "ambito": ambito}
            if registration is not None:
                row.update(attribution=Attribution.PARTICIPANT, registration=registration)
            else:
                row.update(attribution=Attribution.UNREGISTERED)
            rows.append(row)
        contributions = services.contributions_record(actor=facilitator, group=group, rows=rows)
        for offset, contribution in enumerate(contributions):
            when = said_at + datetime.timedelta(minutes=20 * offset + 5 * group.order)
            Contribution.objects.filter(pk=contribution.pk).update(
                is_demo=True, created_at=when, updated_at=when
            )
            Idea.objects.filter(pk=contribution.idea_id).update(
                is_demo=True, created_at=when, published_at=when, updated_at=when
            )
        changes += len(contributions)
    return changes


def _prato_minutes_and_report(meeting: Meeting, groups: dict[str, WorkingGroup], facilitator: User) -> int:
    changes = 0
    for slug, minutes in PRATO_MINUTES.items():
        group = groups[slug]
        if not group.minutes:
            services.minutes_save(actor=facilitator, group=group, minutes=f"{minutes}{DEMO_LINE}")
            changes += 1
    meeting.refresh_from_db()
    if meeting.report_published_at is None:
        services.report_publish(actor=facilitator, meeting=meeting, report=f"{PRATO_REPORT}{DEMO_LINE}")
        published = _rome(PRATO_DAY + datetime.timedelta(days=7), 12)
        Meeting.objects.filter(pk=meeting.pk).update(report_published_at=published)
        changes += 1
    return changes


def _prato(meeting: Meeting, facilitator: User | None) -> int:
    groups = {group.theme.slug: group for group in meeting.groups.select_related("theme")}
    changes = _agenda(meeting, PRATO_AGENDA)
    changes += _facilitate(list(groups.values()), facilitator)
    changes += _prato_registrations(meeting, groups, facilitator)
    if facilitator is None:
        return changes  # without the demo facilitator nobody may record what was said
    changes += _prato_contributions(meeting, groups, facilitator)
    changes += _prato_minutes_and_report(meeting, groups, facilitator)
    return changes


# --- The Smart Living Lab in Prato (upcoming) -----------------------------------------------------------

LIVING_LAB_IN_DAYS = 21
LIVING_LAB_OPENED_DAYS_AGO = 7

LIVING_LAB = {
    "title": "Smart Living Lab Prato – servizi digitali per la vita quotidiana",
    "summary": (
        "Un laboratorio aperto per progettare insieme servizi digitali di prossimità: casa, salute, SPID e app "
        "IO. Esempio dimostrativo."
    ),
    "description": (
        "Gli **Smart Living Labs** sono un'azione trasversale del piano Smart City di Prato (PR-TRA8): laboratori "
        "in cui cittadini, associazioni, imprese e Comune progettano e provano insieme servizi per la vita "
        "quotidiana.\n\n"
        "In questo incontro si lavora in due gruppi:\n\n"
        "1. **Casa, salute e servizi di prossimità**: cosa potrebbe semplificare la vita nel quartiere;\n"
        "2. **Facilitazione digitale**: come aiutare chi non usa ancora SPID, app IO e servizi online.\n\n"
        "Le proposte raccolte diventano idee del processo *Agenda Digitale*, dove tutti possono commentarle e "
        "sostenerle.\n\n"
        "*Esempio dimostrativo: l'azione PR-TRA8 è reale, questo incontro e i suoi contenuti sono inventati per "
        "la demo; la data si sposta in avanti perché l'incontro sia sempre in programma.*"
    ),
    "venue_name": "Biblioteca Lazzerini (sala conferenze)",
    "address": "Via Puccetti 3",
    "municipality": "Prato",
    "territory": "Prato",
    "latitude": Decimal("43.877900"),
    "longitude": Decimal("11.093700"),
    "capacity": 40,
    "accessibility": (
        "La sala è al piano terra, senza barriere architettoniche, con servizi igienici accessibili. È disponibile "
        "un sistema a induzione magnetica per chi usa apparecchi acustici. Per un interprete LIS o altre esigenze "
        "scrivete all'Ufficio di Piano almeno cinque giorni prima. (Esempio dimostrativo.)"
    ),
}
LIVING_LAB_GROUPS = [
    ("smart-living", "Casa, salute e servizi di prossimità", 20),
    ("servizi-online-open-toscana", "Facilitazione digitale: SPID, app IO e servizi online", 20),
]
LIVING_LAB_AGENDA = [
    (datetime.time(17, 30), "Accoglienza", ""),
    (
        datetime.time(17, 45),
        "Cos'è uno Smart Living Lab: l'azione PR-TRA8 del piano",
        "Ufficio di Piano (demo)",
    ),
    (datetime.time(18, 0), "Lavoro nei due gruppi", "Facilitatrice (demo)"),
    (datetime.time(19, 0), "Restituzione in plenaria e prossimi passi", ""),
]
SECTOR_QUESTION = "Settore"
SECTOR_CHOICES = [
    "Cittadina o cittadino",
    "Impresa o professione",
    "Pubblica amministrazione",
    "Scuola o università",
    "Terzo settore",
]
# (demo account, group index, sector): demo citizens of ``participation.demo``.
LIVING_LAB_REGISTRATIONS = [
    ("anna.participation", 0, SECTOR_CHOICES[0]),
    ("luca.participation", 1, SECTOR_CHOICES[1]),
    (CITIZEN, 1, SECTOR_CHOICES[0]),
]


def _living_lab_times(today: datetime.date) -> dict[str, datetime.datetime]:
    day = today + datetime.timedelta(days=LIVING_LAB_IN_DAYS)
    return {
        "starts_at": _rome(day, 17, 30),
        "ends_at": _rome(day, 19, 30),
        "registration_opens_at": _rome(today - datetime.timedelta(days=LIVING_LAB_OPENED_DAYS_AGO), 9),
        "registration_closes_at": _rome(day - datetime.timedelta(days=1), 18),
    }


def _keep_upcoming(meeting: Meeting) -> int:
    """Weeks later the lab would be over (or its registration closed): move it three weeks ahead again."""
    if not meeting.is_demo or timezone.now() < meeting.registration_closes:
        return 0
    times = _living_lab_times(timezone.localdate())
    Meeting.objects.filter(pk=meeting.pk).update(**times, updated_at=timezone.now())
    for name, value in times.items():
        setattr(meeting, name, value)
    return 1


def _living_lab(themes: dict[str, Theme], host: Organisation | None, facilitator: User | None) -> int:
    process = Process.objects.filter(slug=AGENDA_DIGITALE_SLUG).first()
    meeting, changes = _meeting(
        LIVING_LAB_SLUG,
        organisers=[host] if host is not None else [],
        process=process,
        **LIVING_LAB,
        **_living_lab_times(timezone.localdate()),
    )
    if not changes:
        changes += _keep_upcoming(meeting)
    if process is not None and meeting.process_id is None:
        Meeting.objects.filter(pk=meeting.pk).update(process=process)
        changes += 1
    groups, changed = _groups(
        meeting, [(themes[slug], title, capacity) for slug, title, capacity in LIVING_LAB_GROUPS]
    )
    changes += changed
    changes += _facilitate(groups, facilitator)
    changes += _agenda(meeting, LIVING_LAB_AGENDA)
    question = meeting.questions.filter(label=SECTOR_QUESTION).first()
    if question is None:
        question = RegistrationQuestion(
            meeting=meeting,
            label=SECTOR_QUESTION,
            kind=QuestionKind.CHOICE,
            choices="\n".join(SECTOR_CHOICES),
            required=True,
            order=1,
        )
        question.full_clean()
        question.save()
        changes += 1
    for local, group_index, sector in LIVING_LAB_REGISTRATIONS:
        user = _demo_user(local)
        if user is None or Registration.objects.filter(meeting=meeting, user=user).exists():
            continue
        _registration, created = services.registration_create(
            meeting=meeting,
            name="",
            email="",
            user=user,
            group=groups[group_index],
            answers={str(question.pk): sector},
            is_demo=True,
        )
        changes += int(created)
    return changes


# --- Loader ---------------------------------------------------------------------------------------------


@transaction.atomic
def load() -> int:
    themes, changes = _themes()
    organisations, changed = _organisations([*TOUR_ORGANISERS, prato.HOST_ENTITY])
    changes += changed
    facilitator = _demo_user(FACILITATOR, Role.FACILITATOR)
    office = _demo_user(PLAN_OFFICE, Role.PLAN_OFFICE)
    process, changed = _tour_process(office, organisations[REGIONE])
    changes += changed
    organisers = [organisations[name] for name in TOUR_ORGANISERS]
    tour, changed = _tour(themes, organisers)
    changes += changed
    meetings, changed = _stops(tour, themes, organisers, process)
    changes += changed
    changes += _prato(meetings["Prato"], facilitator)
    changes += _living_lab(themes, organisations[prato.HOST_ENTITY], facilitator)
    return changes
