"""The library and the news of the Prato demo.

Public facts: the sections of the plan's site (indagine, schema preliminare, linee attuative, struttura di
governance, evoluzione del piano, stakeholders), the guidelines approved by the City Council on 21/07/2017, the
yearly update notes, the data-sharing protocol of 8 May 2019, the Toscana Digitale 2018 stop in Prato. Everything
else — the files themselves (short samples), the reserved documents, the news texts — is made up and marked as demo.
Documents are written through the services, so the files are checked like any upload; the loader is idempotent.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cittasmart.accounts.models import User
from cittasmart.core.demo import prato
from cittasmart.documents import services
from cittasmart.documents.demo_files import simple_csv, simple_pdf
from cittasmart.documents.models import (
    AccessLevel,
    Document,
    DocumentCategory,
    NewsAmbito,
    NewsItem,
    ReaderGroup,
)
from cittasmart.meetings.models import Meeting
from cittasmart.plan.models import Action, GovernanceBody, PlanVersion
from cittasmart.stakeholders.models import Organisation, OrganisationCategory
from cittasmart.survey.models import SurveyRound

DEMO = "Documento dimostrativo: il file è un breve esempio, non il documento reale."
STAKEHOLDERS_GROUP = "Stakeholder del Piano Smart City"
PIN = "PIN s.c.r.l. – Polo Universitario Città di Prato"
CISPEL = "Confservizi CISPEL Toscana"


def _office() -> User | None:
    return User.objects.filter(email=f"ufficio.piano@{prato.DEMO_DOMAIN}", is_active=True).first()


def _stakeholders_group() -> tuple[ReaderGroup, int]:
    group, created = ReaderGroup.objects.get_or_create(
        name=STAKEHOLDERS_GROUP,
        defaults={
            "description": "Le aziende partecipate, il Comune e i soggetti che hanno condotto l'indagine (demo)."
        },
    )
    if created:
        organisations = Organisation.objects.filter(
            category=OrganisationCategory.PARTICIPATED_COMPANY
        ) | Organisation.objects.filter(name__in=[prato.HOST_ENTITY, PIN, CISPEL])
        group.organisations.set(organisations)
    return group, int(created)


def _specs(group: ReaderGroup) -> list[dict]:
    version = {v.slug: v for v in PlanVersion.objects.filter(is_demo=True)}
    rounds = list(SurveyRound.objects.filter(is_demo=True).order_by("id"))
    body = GovernanceBody.objects.filter(slug="cabina-di-regia").first()
    meeting = Meeting.objects.filter(is_demo=True, municipality="Prato", starts_at__year=2018).first()
    organisation = {o.name: o for o in Organisation.objects.all()}
    comune, pin, cispel = organisation.get(prato.HOST_ENTITY), organisation.get(PIN), organisation.get(CISPEL)
    first_round = rounds[0] if rounds else None
    last_round = rounds[-1] if rounds else None
    return [
        {
            "category": "indagine",
            "title": "Indagine sullo stato di sviluppo della Smart City – rapporto finale",
            "description": "I risultati del censimento dei progetti del Comune e delle aziende partecipate: 150 "
            "schede, di cui 98 progetti e 52 idee, per ambito.",
            "date": datetime.date(2017, 3, 31),
            "author_organisation": pin,
            "survey_round": first_round,
            "lines": [
                "Progetti e idee per ambito: mobilità, ambiente, ICT, governance, persone, qualità della vita."
            ],
        },
        {
            "category": "indagine",
            "title": "Aggiornamento dell'indagine a febbraio 2021",
            "description": "Dieci aziende partecipate intervistate: 99 progetti aggiornati e 34 nuovi.",
            "date": datetime.date(2021, 2, 26),
            "author_organisation": cispel,
            "survey_round": last_round,
            "lines": ["Nuovi progetti soprattutto in Smart Environment e Smart Mobility."],
        },
        {
            "category": "indagine",
            "title": "Schede dei progetti delle aziende partecipate (dati di lavoro)",
            "description": "Le schede raccolte con il questionario, prima della validazione. Riservato agli "
            "stakeholder del piano.",
            "date": datetime.date(2021, 2, 26),
            "access": AccessLevel.MEMBERS,
            "reader_groups": [group],
            "survey_round": last_round,
            "csv": (
                ["organizzazione", "titolo", "ambito", "stato"],
                [
                    ["Estra S.p.A.", "Illuminazione pubblica intelligente", "environment", "in corso"],
                    ["Publiacqua S.p.A.", "Telelettura dei contatori", "ict", "concluso"],
                ],
            ),
        },
        {
            "category": "schema-preliminare",
            "title": "Schema preliminare del Piano Smart City",
            "description": "La prima proposta del piano, costruita sui risultati dell'indagine.",
            "date": datetime.date(2016, 12, 15),
            "author_organisation": comune,
            "plan_version": version.get("2016"),
            "lines": ["Obiettivi per ambito e prime proposte di azione."],
        },
        {
            "category": "linee-attuative",
            "title": "Linee guida e linee attuative del Piano Smart City",
            "description": "Le linee guida approvate dal Consiglio comunale il 21/07/2017 e le azioni verticali "
            "(PR-V) e trasversali (PR-TRA).",
            "date": datetime.date(2017, 7, 21),
            "author_organisation": comune,
            "plan_version": version.get("2017"),
            "lines": [
                "PR-V4 Riqualificazione rete piste ciclabili.",
                "PR-TRA1 Sperimentazione urbana pre-commerciale di reti wireless 5G a Prato.",
            ],
            "next_version": (
                "Testo coordinato con gli allegati tecnici.",
                ["Allegati: schede delle azioni."],
            ),
        },
        {
            "category": "governance",
            "title": "Struttura di governance del piano",
            "description": "Cabina di regia, comitato tecnico, smart city manager, tavoli tematici e Smart Living "
            "Labs: compiti e componenti.",
            "date": datetime.date(2017, 9, 15),
            "author_organisation": comune,
            "governance_body": body,
            "lines": ["Organi del piano e loro mandato."],
        },
        {
            "category": "verbali",
            "title": "Verbale della cabina di regia – marzo 2021",
            "description": "Approvazione della proposta di nota di aggiornamento 2021. Riservato agli stakeholder "
            "del piano.",
            "date": datetime.date(2021, 3, 18),
            "access": AccessLevel.MEMBERS,
            "reader_groups": [group],
            "governance_body": body,
            "lines": ["Presenti i rappresentanti del Comune e delle aziende partecipate."],
        },
        *[
            {
                "category": "evoluzione-del-piano",
                "title": f"Nota di aggiornamento {year}",
                "description": "Lo stato di attuazione delle azioni e le modifiche al piano.",
                "date": date,
                "author_organisation": comune,
                "plan_version": version.get(str(year)),
                "lines": [f"Aggiornamento annuale {year} del Piano Smart City."],
            }
            for year, date in (
                (2019, datetime.date(2019, 6, 28)),
                (2020, datetime.date(2020, 7, 15)),
                (2021, datetime.date(2021, 6, 30)),
            )
        ],
        {
            "category": "stakeholders",
            "title": "Protocollo d'intesa per la condivisione dei dati (8 maggio 2019)",
            "description": "Il protocollo tra il Comune, CISPEL Toscana e le aziende di servizio pubblico per "
            "condividere dati sullo stato del territorio, la sosta, la mobilità e il trasporto pubblico (Situation "
            "Room).",
            "date": datetime.date(2019, 5, 8),
            "author_organisation": comune,
            "lines": ["Situation Room: dati condivisi tra il Comune e le aziende."],
        },
        {
            "category": "stakeholders",
            "title": "Specifiche tecniche della Situation Room – bozza per le aziende",
            "description": "Formati e frequenze dei dati che le aziende mettono a disposizione. Riservato agli "
            "stakeholder del piano.",
            "date": datetime.date(2019, 10, 1),
            "access": AccessLevel.MEMBERS,
            "reader_groups": [group],
            "author_organisation": comune,
            "lines": ["Sosta, flussi di traffico, trasporto pubblico: formati CSV e API."],
            "next_version": (
                "Aggiunti i dati sulla qualità dell'aria.",
                ["Nuova sezione: qualità dell'aria."],
            ),
        },
        {
            "category": "verbali",
            "title": "Sintesi del tavolo Smart Cities – Toscana Digitale, Prato",
            "description": "La sintesi delle proposte raccolte nel gruppo di lavoro, per chi ha un account.",
            "date": datetime.date(2018, 6, 29),
            "access": AccessLevel.REGISTERED,
            "meeting": meeting,
            "lines": ["Proposte su dati aperti, mobilità e servizi online."],
        },
        {
            "category": "altro",
            "title": "Quadro delle risorse per il 2022 – bozza interna",
            "description": "Bozza di lavoro dell'ufficio di piano.",
            "date": datetime.date(2021, 11, 10),
            "access": AccessLevel.STAFF,
            "author_organisation": comune,
            "lines": ["Stime provvisorie, non pubblicare."],
        },
    ]


def _file(spec: dict) -> SimpleUploadedFile:
    if "csv" in spec:
        header, rows = spec["csv"]
        return SimpleUploadedFile("schede-progetti.csv", simple_csv(header, rows))
    return SimpleUploadedFile(f"{spec['title']}.pdf", simple_pdf(spec["title"], [*spec["lines"], DEMO]))


def _documents(office: User, group: ReaderGroup) -> int:
    changes = 0
    categories = {c.slug: c for c in DocumentCategory.objects.all()}
    existing = set(Document.objects.filter(is_demo=True).values_list("title", flat=True))
    for spec in _specs(group):
        if spec["title"] in existing or spec["category"] not in categories:
            continue
        fields = {
            key: spec[key]
            for key in (
                "description",
                "date",
                "author_organisation",
                "plan_version",
                "survey_round",
                "meeting",
                "governance_body",
            )
            if spec.get(key) is not None
        }
        document = services.document_create(
            actor=office,
            file=_file(spec),
            title=spec["title"],
            category=categories[spec["category"]],
            access=spec.get("access", AccessLevel.PUBLIC),
            reader_groups=spec.get("reader_groups", ()),
            is_demo=True,
            **fields,
        )
        if "next_version" in spec:
            note, lines = spec["next_version"]
            upload = SimpleUploadedFile(
                f"{spec['title']} v2.pdf", simple_pdf(f"{spec['title']} (v2)", [*spec["lines"], *lines, DEMO])
            )
            services.version_add(actor=office, document=document, file=upload, note=note)
        changes += 1
    return changes


NEWS = [
    {
        "slug": "demo-nota-aggiornamento-2021",
        "title": "Pubblicata la nota di aggiornamento 2021 del Piano Smart City",
        "summary": "Lo stato di attuazione delle azioni e i nuovi progetti emersi dall'aggiornamento dell'indagine.",
        "body": "La nota di aggiornamento 2021 tiene conto dell'aggiornamento dell'indagine a febbraio 2021: "
        "**99 progetti aggiornati e 34 nuovi**, soprattutto negli ambiti Smart Environment e Smart Mobility.\n\n"
        "I documenti sono nella sezione *Evoluzione del piano* della biblioteca.",
        "days_ago": 12,
        "ambiti": ["governance", "environment", "mobility"],
        "documents": ["Nota di aggiornamento 2021"],
    },
    {
        "slug": "demo-toscana-digitale-prato",
        "title": "Toscana Digitale: a Prato le proposte dei gruppi di lavoro",
        "summary": "Al Museo del Tessuto quattro tavoli su infrastrutture, servizi online, smart cities e nuova "
        "comunicazione pubblica.",
        "body": "Le proposte raccolte nei gruppi di lavoro sono diventate idee del processo partecipativo, a cui "
        "l'ufficio di piano risponde pubblicamente.",
        "days_ago": 30,
        "ambiti": ["governance", "ict"],
        "meeting": True,
    },
    {
        "slug": "demo-5g-sperimentazione",
        "title": "5G a Prato: come procede la sperimentazione",
        "summary": "L'azione PR-TRA1 del piano: lo stato dei lavori e i prossimi passi.",
        "body": "La sperimentazione urbana pre-commerciale di reti wireless 5G è una delle azioni trasversali del "
        "piano. Gli indicatori dell'azione sono pubblici sul cruscotto del piano.",
        "days_ago": 5,
        "ambiti": ["ict"],
        "action": "PR-TRA1",
    },
    {
        "slug": "demo-smart-living-lab",
        "title": "Aperte le iscrizioni allo Smart Living Lab",
        "summary": "Un laboratorio aperto per progettare insieme servizi di quartiere: iscrizione gratuita.",
        "body": "Il laboratorio è organizzato per gruppi di lavoro; chi si iscrive riceve la conferma e il "
        "promemoria per e-mail.",
        "days_ago": 2,
        "ambiti": ["living", "people"],
    },
]


def _news(office: User) -> int:
    changes = 0
    now = timezone.now()
    for spec in NEWS:
        if NewsItem.objects.filter(slug=spec["slug"]).exists():
            continue
        meeting = (
            Meeting.objects.filter(is_demo=True, municipality="Prato", starts_at__year=2018).first()
            if spec.get("meeting")
            else None
        )
        action = (
            Action.objects.filter(code=spec["action"], version__is_demo=True)
            .order_by("-version__published_on")
            .first()
            if spec.get("action")
            else None
        )
        news = NewsItem(
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            body=f"{spec['body']}\n\n*Notizia dimostrativa: il testo è un esempio.*",
            published_at=now - datetime.timedelta(days=spec["days_ago"]),
            notified_at=now,
            author=office,
            meeting=meeting,
            action=action,
            is_demo=True,
        )
        news.full_clean()
        news.save()
        NewsAmbito.objects.bulk_create([NewsAmbito(news=news, ambito=ambito) for ambito in spec["ambiti"]])
        news.documents.set(Document.objects.filter(is_demo=True, title__in=spec.get("documents", [])))
        changes += 1
    return changes


def load() -> int:
    office = _office()
    if office is None:
        return 0
    group, changes = _stakeholders_group()
    changes += _documents(office, group)
    changes += _news(office)
    return changes
