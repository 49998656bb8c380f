"""Participation in the Prato demo: the open process "Agenda Digitale" and the concluded 2021 consultation.

Everything here is an invented example, marked as such: ``is_demo`` on processes, ideas and comments, and every text
ends saying it is demo content. The people are demo accounts on the reserved demo domain, named "(demo)", with the
demo password; the plan office and the moderator are the accounts of ``accounts.demo``.

The open process is built as people would build it, through the services: the plan office creates it and its phases,
citizens propose, comment and support, the plan office answers (so notifications, follows and the audit log are the
real ones). Its phases are placed around today (collecting ideas from 30 days ago to 60 days ahead), and a later run
that finds the collection over moves them again, so the demo is always open. The 2021 consultation is concluded, so
no service would accept an idea in it any more: its rows are written directly, with counters equal to the rows.

``load`` creates only what is missing and returns how many things it changed: a second run on the same day returns 0.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cittasmart.accounts.models import User
from cittasmart.accounts.services import user_privacy_accept, user_profile_update
from cittasmart.core.demo import prato
from cittasmart.core.markup import render_markdown
from cittasmart.core.roles import Role, has_role
from cittasmart.participation import services
from cittasmart.participation.models import (
    Comment,
    EmailFrequency,
    Follow,
    Idea,
    IdeaAnswer,
    IdeaStatus,
    Notification,
    NotificationKind,
    NotificationSettings,
    Outcome,
    PhaseKind,
    Process,
    ReportReason,
    Support,
)
from cittasmart.plan.models import Action, PlanVersion
from cittasmart.plan.selectors import current_version
from cittasmart.stakeholders.models import Organisation

SLUG = "agenda-digitale"
PAST_SLUG = "consultazione-smart-city-2021"
DEMO_LINE = "*Esempio dimostrativo: contenuto inventato per la demo di Prato, non è una proposta reale.*"
DEMO_COMMENT = "(Esempio dimostrativo.)"
DEMO_ANSWER = "*Esempio dimostrativo: risposta inventata per la demo, non è una decisione del Comune.*"

PIN = "PIN s.c.r.l. – Polo Universitario Città di Prato"

# Demo citizens of participation: (e-mail local part, display name). The accounts of ``accounts.demo`` take part too.
CITIZENS = [
    ("anna.participation", "Anna B. (demo)"),
    ("luca.participation", "Luca M. (demo)"),
    ("mei.participation", "Mei L. (demo)"),
    ("giovanni.participation", "Giovanni R. (demo)"),
]
PLAN_OFFICE = "ufficio.piano"
MODERATOR = "moderatore"
CITIZEN = "cittadino"
RESEARCHER = "ricercatrice.pin"


def demo_email(local: str) -> str:
    return f"{local}@{prato.DEMO_DOMAIN}"


@dataclass
class DemoIdea:
    key: str
    author: str
    title: str
    body: str
    ambito: str
    days_ago: int
    place: tuple[str, str, str] | None = None  # (place name, latitude, longitude)
    on_behalf_of: str | None = None
    comments: list[tuple[str, str, list[tuple[str, str]]]] = field(
        default_factory=list
    )  # author, text, replies
    supporters: list[str] = field(default_factory=list)
    evaluating: bool = False
    answer: tuple[str, list[str], str] | None = None  # outcome, action codes, text


PROCESS = {
    "title": "Agenda Digitale",
    "summary": (
        "Le idee di cittadini, imprese e associazioni per la Prato digitale: connettività, servizi online, "
        "dati aperti e competenze digitali. Esempio dimostrativo."
    ),
    "description": (
        "Il Comune di Prato raccoglie proposte per l'Agenda Digitale della città, in continuità con le azioni "
        "trasversali del piano Smart City (PR-TRA): reti e connettività, piattaforme e servizi online integrati, "
        "laboratori e competenze digitali, comunicazione.\n\n"
        "Come funziona:\n\n"
        "1. **Informazione**: i documenti del piano e lo stato delle azioni.\n"
        "2. **Raccolta delle idee**: chiunque si registri può proporre un'idea, commentare e sostenere quelle "
        "degli altri.\n"
        "3. **Valutazione**: l'Ufficio di Piano valuta le idee con gli uffici competenti.\n"
        "4. **Restituzione**: ogni idea riceve una risposta ufficiale, collegata alle azioni del piano che ha "
        "alimentato.\n\n"
        "*Esempio dimostrativo: processo inventato per mostrare la piattaforma; le date si spostano in avanti "
        "perché la raccolta sia sempre aperta.*"
    ),
    "ambiti": ["governance", "ict", "people"],
    "actions": ["PR-TRA1", "PR-TRA2", "PR-TRA8", "PR-TRA9"],
}

# (kind, title, description, first day, last day), days relative to today.
PHASES = [
    (
        PhaseKind.INFORMATION,
        "Informazione",
        "Presentazione del percorso e dei documenti del piano. Esempio dimostrativo.",
        -60,
        -31,
    ),
    (
        PhaseKind.COLLECTING,
        "Raccolta delle idee",
        "Si propongono idee, si commentano e si sostengono. Esempio dimostrativo.",
        -30,
        60,
    ),
    (
        PhaseKind.EVALUATION,
        "Valutazione",
        "L'Ufficio di Piano valuta le idee con gli uffici competenti. Esempio dimostrativo.",
        61,
        90,
    ),
    (
        PhaseKind.FEEDBACK,
        "Restituzione e monitoraggio",
        "Le risposte ufficiali e l'avanzamento delle azioni collegate. Esempio dimostrativo.",
        91,
        150,
    ),
]

IDEAS = [
    DemoIdea(
        key="area-personale",
        author=CITIZEN,
        title="Tutti i servizi comunali in un'unica area personale con SPID e CIE",
        body=(
            "Oggi per pagare la mensa, chiedere un certificato e seguire una pratica edilizia servono siti e "
            "credenziali diversi. Propongo un'**unica area personale** sul sito del Comune, con accesso SPID e CIE, "
            "dove trovare:\n\n"
            "- le pratiche aperte e il loro stato;\n"
            "- i pagamenti con pagoPA e le ricevute;\n"
            "- le scadenze (carta d'identità, tributi, iscrizioni scolastiche)."
        ),
        ambito="governance",
        days_ago=28,
        comments=[
            (
                "anna.participation",
                "Sì! E che ricordi le scadenze anche con una notifica sull'app IO.",
                [(CITIZEN, "Ottima idea, l'aggiungo alla proposta.")],
            ),
            ("giovanni.participation", "Importante che funzioni bene anche dal telefono.", []),
        ],
        supporters=[
            "anna.participation",
            "luca.participation",
            "mei.participation",
            "giovanni.participation",
        ],
        answer=(
            Outcome.ACCEPTED,
            ["PR-TRA2"],
            "L'idea è accolta: l'area personale sarà il punto d'accesso dei servizi integrati previsti "
            "dall'azione PR-TRA2 (Piattaforme IT evolute e integrazione dei servizi). Il primo rilascio comprenderà "
            "pagamenti pagoPA e stato delle pratiche; le notifiche sull'app IO seguiranno.",
        ),
    ),
    DemoIdea(
        key="wifi-piazze",
        author="anna.participation",
        title="Wi-Fi libero in piazza Mercatale e in piazza San Marco",
        body=(
            "Le piazze del centro sono luoghi di incontro, mercati ed eventi, ma la connessione gratuita arriva "
            "solo in pochi punti. Chiedo di estendere la rete Wi-Fi pubblica a **piazza Mercatale** e **piazza "
            "San Marco**, con accesso semplice e senza registrazioni ripetute."
        ),
        ambito="ict",
        days_ago=25,
        place=("Piazza Mercatale, Prato", "43.883000", "11.100500"),
        comments=[
            (
                "mei.participation",
                "Utile anche per i turisti e per chi lavora ai banchi del mercato.",
                [("luca.participation", "E per gli eventi estivi in piazza, d'accordo.")],
            ),
        ],
        supporters=[CITIZEN, "luca.participation", "mei.participation"],
        answer=(
            Outcome.PARTIAL,
            ["PR-TRA1"],
            "L'idea è accolta in parte: piazza Mercatale rientra nell'estensione della rete wireless avviata con "
            "la sperimentazione dell'azione PR-TRA1; per piazza San Marco la copertura sarà valutata con il "
            "prossimo aggiornamento del piano.",
        ),
    ),
    DemoIdea(
        key="competenze-anziani",
        author="giovanni.participation",
        title="Corsi di competenze digitali per le persone anziane nei centri civici",
        body=(
            "Molte persone anziane non riescono a prenotare una visita, usare SPID o fare una videochiamata con i "
            "nipoti. Propongo **corsi brevi e gratuiti** nei centri civici di quartiere, con volontari e studenti "
            "delle superiori come facilitatori digitali."
        ),
        ambito="people",
        days_ago=22,
        comments=[
            (
                "anna.participation",
                "Mia madre ci verrebbe volentieri: meglio al mattino e in piccoli gruppi.",
                [],
            ),
        ],
        supporters=[CITIZEN, "anna.participation", "mei.participation"],
        answer=(
            Outcome.ALREADY_PLANNED,
            ["PR-TRA8"],
            "Quanto proposto è già previsto: i laboratori di facilitazione digitale per le persone anziane fanno "
            "parte degli Smart Living Labs (azione PR-TRA8), ripresi nel 2021. Il calendario degli incontri nei "
            "centri civici sarà pubblicato sul sito del Comune.",
        ),
    ),
    DemoIdea(
        key="open-data-mobilita",
        author="luca.participation",
        title="Open data sulla mobilità: parcheggi liberi e bus in tempo reale",
        body=(
            "Pubblicare come **dati aperti** (con licenza CC BY) i posti liberi nei parcheggi di scambio e le "
            "posizioni dei bus urbani in tempo reale, con un'API documentata. Sviluppatori, scuole e aziende "
            "potrebbero creare app e servizi utili a tutti."
        ),
        ambito="ict",
        days_ago=19,
        comments=[
            (
                "mei.participation",
                "Servirebbero anche i dati storici, per studiare il traffico.",
                [("luca.participation", "Giusto, anche in formato CSV scaricabile.")],
            ),
        ],
        supporters=[CITIZEN, "giovanni.participation"],
        evaluating=True,
    ),
    DemoIdea(
        key="sportello-spid",
        author="mei.participation",
        title="Uno sportello di aiuto per SPID nella biblioteca Lazzerini",
        body=(
            "Attivare SPID o la CIE è ancora difficile per molte persone, anche per chi non parla bene "
            "l'italiano. Propongo uno **sportello di aiuto** alla biblioteca Lazzerini, un pomeriggio a settimana, "
            "con materiali in più lingue (anche in cinese)."
        ),
        ambito="people",
        days_ago=15,
        place=("Biblioteca Lazzerini, Campolmi, Prato", "43.877900", "11.093700"),
        comments=[
            (
                "giovanni.participation",
                "Lo userei anche io per aiutare i miei genitori.",
                [],
            ),
            (
                "luca.participation",
                "Qualcuno sa quanto costa il parcheggio in centro la domenica?",
                [],
            ),
        ],
        supporters=["giovanni.participation", "anna.participation"],
    ),
    DemoIdea(
        key="scuole-connesse",
        author="anna.participation",
        title="Connessione veloce e stabile in tutte le scuole",
        body=(
            "In diverse scuole primarie la connessione non regge una classe intera collegata. Chiedo di portare "
            "la **fibra** in tutte le scuole comunali e di coprire le aule con un Wi-Fi adeguato, dando priorità "
            "agli istituti delle periferie."
        ),
        ambito="ict",
        days_ago=11,
        comments=[
            (
                CITIZEN,
                "Anche nelle scuole medie: i registri elettronici spesso non si aprono.",
                [("anna.participation", "Vero, l'ho sentito anche da altri genitori.")],
            ),
        ],
        supporters=[CITIZEN, "luca.participation", "mei.participation", "giovanni.participation"],
    ),
    DemoIdea(
        key="coding-macrolotto",
        author=RESEARCHER,
        title="Laboratori di coding per ragazze e ragazzi al Macrolotto Zero",
        body=(
            "Proponiamo laboratori pomeridiani di programmazione e robotica per ragazze e ragazzi dagli 11 ai 16 "
            "anni, negli spazi del Macrolotto Zero, in collaborazione con le scuole e le associazioni del "
            "quartiere."
        ),
        ambito="people",
        days_ago=7,
        place=("Macrolotto Zero, via Pistoiese, Prato", "43.883000", "11.087000"),
        on_behalf_of=PIN,
        supporters=["mei.participation"],
    ),
    DemoIdea(
        key="consiglio-streaming",
        author="giovanni.participation",
        title="Consiglio comunale in diretta con i sottotitoli",
        body=(
            "Le sedute del Consiglio comunale sono trasmesse in streaming, ma senza sottotitoli. Aggiungerli "
            "(anche automatici, poi corretti) renderebbe le sedute accessibili alle persone sorde e più facili da "
            "cercare negli archivi."
        ),
        ambito="governance",
        days_ago=3,
        place=("Palazzo Comunale, piazza del Comune, Prato", "43.880800", "11.096600"),
    ),
]

# The comment that the demo's moderation queue shows as reported (off topic).
REPORTED_COMMENT = ("sportello-spid", "Qualcuno sa quanto costa il parcheggio in centro la domenica?")

PAST_PROCESS = {
    "title": "Prato Smart City – consultazione 2021",
    "summary": (
        "La consultazione che ha accompagnato la nota di aggiornamento 2021 del piano Smart City. Conclusa. "
        "Esempio dimostrativo."
    ),
    "description": (
        "Nella primavera del 2021 il Comune ha raccolto le idee dei cittadini per la nota di aggiornamento del "
        "piano Smart City. Le risposte ufficiali e le azioni collegate sono nel rapporto di restituzione.\n\n"
        "*Esempio dimostrativo: processo inventato per mostrare la piattaforma.*"
    ),
    "ambiti": ["governance", "ict"],
    "actions": ["PR-TRA2", "PR-TRA9"],
}

PAST_PHASES = [
    (PhaseKind.INFORMATION, datetime.date(2021, 2, 1), datetime.date(2021, 2, 28)),
    (PhaseKind.COLLECTING, datetime.date(2021, 3, 1), datetime.date(2021, 4, 30)),
    (PhaseKind.EVALUATION, datetime.date(2021, 5, 1), datetime.date(2021, 6, 15)),
    (PhaseKind.FEEDBACK, datetime.date(2021, 6, 16), datetime.date(2021, 9, 30)),
]

# (author, title, body, ambito, created, supporters, outcome, action codes, answer, answered)
PAST_IDEAS = [
    (
        "luca.participation",
        "Prenotare online gli appuntamenti all'anagrafe",
        "Per la carta d'identità elettronica si fa la fila o si telefona più volte. Serve un'agenda online per "
        "prenotare gli appuntamenti agli sportelli anagrafici, con promemoria via e-mail.",
        "governance",
        datetime.datetime(2021, 3, 9, 10, 30),
        [CITIZEN, "anna.participation", "mei.participation"],
        Outcome.ACCEPTED,
        ["PR-TRA2"],
        "Accolta: la prenotazione online degli appuntamenti anagrafici è entrata tra i servizi integrati "
        "dell'azione PR-TRA2 nella nota di aggiornamento 2021.",
        datetime.datetime(2021, 6, 20, 9, 0),
    ),
    (
        "anna.participation",
        "Raccontare i progetti smart city con una newsletter",
        "Molti progetti del piano non sono conosciuti. Una newsletter mensile e una pagina con lo stato dei "
        "cantieri e dei progetti aiuterebbero a seguirli.",
        "governance",
        datetime.datetime(2021, 3, 22, 18, 15),
        ["giovanni.participation"],
        Outcome.PARTIAL,
        ["PR-TRA9"],
        "Accolta in parte: lo stato dei progetti è pubblicato su questa piattaforma (azione PR-TRA9, Smart City "
        "Communication); la newsletter non è prevista per ora.",
        datetime.datetime(2021, 6, 22, 11, 0),
    ),
]


def _demo_text(text: str) -> str:
    return f"{text}\n\n{DEMO_LINE}"


def _citizens() -> int:
    """The demo citizens of participation, made as ``accounts.demo`` makes its accounts."""
    changes = 0
    for local, display_name in CITIZENS:
        email = demo_email(local)
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email, settings.DEMO_PASSWORD)
        user_profile_update(user=user, display_name=display_name)
        user_privacy_accept(user=user)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        changes += 1
    return changes


def _people() -> dict[str, User]:
    locals_ = [local for local, _name in CITIZENS] + [PLAN_OFFICE, MODERATOR, CITIZEN, RESEARCHER]
    users = User.objects.filter(email__in=[demo_email(local) for local in locals_])
    return {user.email.split("@")[0]: user for user in users}


def _no_emails(people: dict[str, User]) -> int:
    """Demo accounts have undeliverable addresses on a reserved domain: they hear of things only on the platform."""
    changes = 0
    for user in people.values():
        if not NotificationSettings.objects.filter(user=user).exists():
            services.notification_settings_update(user=user, email_frequency=EmailFrequency.NEVER)
            changes += 1
    return changes


def _actions(version: PlanVersion | None, codes: list[str]) -> dict[str, Action]:
    if version is None:
        return {}
    return {a.code: a for a in Action.objects.filter(version=version, code__in=codes)}


def _phase_dates(today: datetime.date, first: int, last: int) -> tuple[datetime.date, datetime.date]:
    return today + datetime.timedelta(days=first), today + datetime.timedelta(days=last)


def _keep_open(process: Process, actor) -> int:
    """If the collection of ideas is over (or not begun), move every phase so that it runs around today again."""
    if not process.is_demo:
        return 0
    phases = list(process.phases.order_by("starts_on"))
    collecting = next((p for p in phases if p.kind == PhaseKind.COLLECTING), None)
    today = timezone.localdate()
    if collecting is None or collecting.starts_on <= today <= collecting.ends_on:
        return 0
    shift = today + datetime.timedelta(days=PHASES[1][3]) - collecting.starts_on
    # Moving forward, the last phase moves first (and the other way round), so that no two phases ever overlap.
    for phase in reversed(phases) if shift.days > 0 else phases:
        services.phase_save(
            actor=actor,
            process=process,
            phase=phase,
            starts_on=phase.starts_on + shift,
            ends_on=phase.ends_on + shift,
        )
    return len(phases)


def _backdate(idea: Idea, when: datetime.datetime) -> None:
    """The demo ideas arrived over the weeks: their dates, and those of their comments, say so."""
    Idea.objects.filter(pk=idea.pk).update(created_at=when, published_at=when)
    for offset, comment in enumerate(Comment.objects.filter(idea=idea).order_by("id"), start=1):
        Comment.objects.filter(pk=comment.pk).update(created_at=when + datetime.timedelta(hours=5 * offset))
    Notification.objects.filter(comment__idea=idea).update(
        created_at=Subquery(Comment.objects.filter(pk=OuterRef("comment_id")).values("created_at")[:1])
    )


def _open_process(people: dict[str, User], organiser: Organisation | None) -> int:
    office = people[PLAN_OFFICE]
    version = current_version()
    actions = _actions(version, PROCESS["actions"])
    today = timezone.localdate()
    process = services.process_save(
        actor=office,
        title=PROCESS["title"],
        slug=SLUG,
        summary=PROCESS["summary"],
        description=PROCESS["description"],
        organiser=organiser,
        plan_version=version,
        is_published=True,
        is_demo=True,
        ambiti=PROCESS["ambiti"],
        actions=list(actions.values()),
    )
    changes = 1
    for kind, title, description, first, last in PHASES:
        starts_on, ends_on = _phase_dates(today, first, last)
        services.phase_save(
            actor=office,
            process=process,
            kind=kind,
            title=title,
            description=description,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        changes += 1
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[PIN])}
    now = timezone.now()
    created: dict[str, Idea] = {}
    for spec in IDEAS:
        author = people.get(spec.author)
        if author is None:
            continue
        fields = {"title": spec.title, "body": _demo_text(spec.body), "ambito": spec.ambito}
        if spec.place:
            name, latitude, longitude = spec.place
            fields.update(place_name=name, latitude=Decimal(latitude), longitude=Decimal(longitude))
        if spec.on_behalf_of and spec.on_behalf_of in organisations:
            organisation = organisations[spec.on_behalf_of]
            if author.memberships.filter(organisation=organisation).exists():
                fields["organisation"] = organisation
        idea = services.idea_create(user=author, process=process, **fields)
        created[spec.key] = idea
        changes += 1
        for commenter, text, replies in spec.comments:
            if commenter not in people:
                continue
            comment = services.comment_create(
                user=people[commenter], idea=idea, body=f"{text} {DEMO_COMMENT}"
            )
            changes += 1
            for replier, reply in replies:
                if replier in people:
                    services.comment_create(
                        user=people[replier], idea=idea, body=f"{reply} {DEMO_COMMENT}", parent=comment
                    )
                    changes += 1
        for supporter in spec.supporters:
            if supporter in people and services.support_add(user=people[supporter], idea=idea):
                changes += 1
        _backdate(idea, now - datetime.timedelta(days=spec.days_ago))
    # The plan office takes one idea into evaluation and answers three, linking the actions they fed.
    for spec in IDEAS:
        idea = created.get(spec.key)
        if idea is None:
            continue
        if spec.evaluating:
            services.idea_set_evaluating(actor=office, idea=idea)
            changes += 1
        if spec.answer:
            outcome, codes, text = spec.answer
            linked = [actions[code] for code in codes if code in actions]
            if len(linked) < len(codes):
                continue  # the plan of the demo is not there: the idea stays without an answer
            answer = services.answer_save(
                actor=office, idea=idea, outcome=outcome, text=f"{text}\n\n{DEMO_ANSWER}", actions=linked
            )
            answered_at = now - datetime.timedelta(days=max(spec.days_ago - 10, 1))
            IdeaAnswer.objects.filter(pk=answer.pk).update(created_at=answered_at, updated_at=answered_at)
            Notification.objects.filter(idea=idea, kind=NotificationKind.ANSWERED).update(
                created_at=answered_at
            )
            changes += 1
    # An open report for the moderators' queue: an off-topic comment.
    key, text = REPORTED_COMMENT
    reported = Comment.objects.filter(idea=created.get(key), body__startswith=text).first()
    reporter = people.get("anna.participation")
    if reported is not None and reporter is not None:
        services.report_create(
            user=reporter,
            comment=reported,
            reason=ReportReason.OFF_TOPIC,
            details=f"Il commento non riguarda l'idea. {DEMO_COMMENT}",
        )
        changes += 1
    Idea.objects.filter(process=process).update(is_demo=True)
    Comment.objects.filter(idea__process=process).update(is_demo=True)
    return changes


def _aware(when: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _past_process(people: dict[str, User], organiser: Organisation | None) -> int:
    """The 2021 consultation is concluded: no service accepts ideas in it, so its rows are written directly."""
    office = people[PLAN_OFFICE]
    version = PlanVersion.objects.filter(slug="2021", status="published", is_demo=True).first()
    actions = _actions(version, PAST_PROCESS["actions"])
    process = services.process_save(
        actor=office,
        title=PAST_PROCESS["title"],
        slug=PAST_SLUG,
        summary=PAST_PROCESS["summary"],
        description=PAST_PROCESS["description"],
        organiser=organiser,
        plan_version=version,
        is_published=True,
        is_demo=True,
        ambiti=PAST_PROCESS["ambiti"],
        actions=list(actions.values()),
    )
    changes = 1
    for kind, starts_on, ends_on in PAST_PHASES:
        services.phase_save(
            actor=office,
            process=process,
            kind=kind,
            description="Esempio dimostrativo.",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        changes += 1
    for (
        author,
        title,
        body,
        ambito,
        created,
        supporters,
        outcome,
        codes,
        text,
        answered,
    ) in PAST_IDEAS:
        if author not in people:
            continue
        body = _demo_text(body)
        idea = Idea(
            process=process,
            author=people[author],
            title=title,
            body=body,
            body_html=render_markdown(body),
            ambito=ambito,
            status=IdeaStatus.PUBLISHED,
            published_at=_aware(created),
            is_demo=True,
        )
        idea.full_clean()
        idea.save()
        Follow.objects.create(user=idea.author, idea=idea)
        rows = [Support(idea=idea, user=people[s]) for s in supporters if s in people]
        Support.objects.bulk_create(rows)
        linked = [actions[code] for code in codes if code in actions]
        status = IdeaStatus.PUBLISHED
        if len(linked) == len(codes):
            answer_text = f"{text}\n\n{DEMO_ANSWER}"
            answer = IdeaAnswer(
                idea=idea,
                outcome=outcome,
                text=answer_text,
                text_html=render_markdown(answer_text),
                answered_by=office,
            )
            answer.full_clean()
            answer.save()
            answer.actions.set(linked)
            IdeaAnswer.objects.filter(pk=answer.pk).update(
                created_at=_aware(answered), updated_at=_aware(answered)
            )
            status = IdeaStatus.ANSWERED
        Idea.objects.filter(pk=idea.pk).update(
            status=status, support_count=len(rows), created_at=_aware(created)
        )
        changes += 1
    return changes


def load() -> int:
    changes = _citizens()
    people = _people()
    office = people.get(PLAN_OFFICE)
    if office is None or not has_role(office, Role.PLAN_OFFICE):
        return changes  # without the plan office of the demo nobody may open a process
    changes += _no_emails(people)
    organiser = Organisation.objects.filter(is_host_entity=True).first()
    process = Process.objects.filter(slug=SLUG).first()
    if process is None:
        changes += _open_process(people, organiser)
    else:
        changes += _keep_open(process, office)
    if not Process.objects.filter(slug=PAST_SLUG).exists():
        changes += _past_process(people, organiser)
    return changes
