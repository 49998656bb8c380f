"""The governance structure of the Prato demo.

The kinds of body are the usual ones of a Smart City plan. The structure below is an invented example, marked as
such in every mandate and decision ("Esempio dimostrativo: ..."); members are organisations of the stakeholders demo
with a role, never named people. ``load`` creates or corrects only what differs and returns how many changes it made,
so running it again changes nothing.
"""

from datetime import date

from cittasmart.plan.governance import body_save, decision_save, kind_save, member_save
from cittasmart.plan.models import BodyMember, Decision, GovernanceBody, GovernanceBodyKind
from cittasmart.plan.selectors import current_version
from cittasmart.stakeholders.models import Organisation

COMUNE = "Comune di Prato"
PIN = "PIN s.c.r.l. – Polo Universitario Città di Prato"
CISPEL = "Confservizi CISPEL Toscana"
ESTRA = "Estra S.p.A."

CABINA = "Cabina di regia"
COMITATO = "Comitato tecnico"
MANAGER = "Smart City Manager"
TAVOLI = "Tavoli tematici"
LAB = "Smart Living Lab"

KINDS = [CABINA, COMITATO, MANAGER, TAVOLI, LAB]

SINCE = date(2017, 7, 21)  # the guidelines' approval date (a public fact); the memberships are examples

# (slug, name, kind, parent slug, mandate, order)
BODIES = [
    (
        "cabina-di-regia",
        "Cabina di regia Prato Smart City",
        CABINA,
        None,
        "Esempio dimostrativo: indirizzo strategico del piano, approvazione degli aggiornamenti annuali e "
        "verifica dell'avanzamento delle azioni.",
        1,
    ),
    (
        "smart-city-manager",
        "Smart City Manager",
        MANAGER,
        "cabina-di-regia",
        "Esempio dimostrativo: coordinamento operativo delle azioni, raccordo tra uffici comunali, aziende "
        "partecipate e portatori di interesse; cura del monitoraggio degli indicatori.",
        1,
    ),
    (
        "comitato-tecnico",
        "Comitato tecnico",
        COMITATO,
        "cabina-di-regia",
        "Esempio dimostrativo: istruttoria tecnica delle azioni, proposta delle priorità e dei criteri di "
        "valutazione, supporto alla redazione delle note di aggiornamento.",
        2,
    ),
    (
        "tavolo-smart-mobility",
        "Tavolo tematico Smart Mobility",
        TAVOLI,
        "comitato-tecnico",
        "Esempio dimostrativo: confronto tra i soggetti che gestiscono servizi di mobilità sulle azioni "
        "dell'ambito Smart Mobility.",
        1,
    ),
    (
        "tavolo-smart-environment",
        "Tavolo tematico Smart Environment",
        TAVOLI,
        "comitato-tecnico",
        "Esempio dimostrativo: confronto sulle azioni dell'ambito Smart Environment (energia, acqua, rifiuti).",
        2,
    ),
    (
        "smart-living-lab",
        "Smart Living Lab Prato",
        LAB,
        "comitato-tecnico",
        "Esempio dimostrativo: spazio di sperimentazione aperto a cittadini, imprese e università per "
        "co-progettare e provare i servizi del piano.",
        3,
    ),
]

# (body slug, organisation, role)
MEMBERS = [
    ("cabina-di-regia", COMUNE, "Sindaco o suo delegato"),
    ("cabina-di-regia", COMUNE, "Assessore con delega all'innovazione"),
    ("cabina-di-regia", PIN, "Rappresentante"),
    ("cabina-di-regia", CISPEL, "Rappresentante"),
    ("smart-city-manager", COMUNE, "Dirigente comunale incaricato"),
    ("comitato-tecnico", COMUNE, "Referente dei sistemi informativi"),
    ("comitato-tecnico", PIN, "Referente tecnico-scientifico"),
    ("comitato-tecnico", CISPEL, "Referente per le aziende partecipate"),
    ("comitato-tecnico", ESTRA, "Referente tecnico"),
    ("tavolo-smart-mobility", COMUNE, "Referente del servizio mobilità"),
    ("tavolo-smart-environment", ESTRA, "Referente energia"),
    ("tavolo-smart-environment", COMUNE, "Referente del servizio ambiente"),
    ("smart-living-lab", PIN, "Coordinamento scientifico"),
]

# (body slug, date, summary, codes of related actions in the current version)
DECISIONS = [
    (
        "cabina-di-regia",
        date(2017, 9, 28),
        "Esempio dimostrativo: avvio del monitoraggio annuale delle azioni approvate con le linee guida.",
        ["PR-TRA1", "PR-TRA2"],
    ),
    (
        "comitato-tecnico",
        date(2019, 3, 14),
        "Esempio dimostrativo: proposta di priorità per la nota di aggiornamento 2019.",
        ["PR-V1", "PR-V3"],
    ),
    (
        "cabina-di-regia",
        date(2021, 2, 25),
        "Esempio dimostrativo: presa d'atto dell'aggiornamento dell'indagine a febbraio 2021 e mandato al "
        "comitato tecnico di proporre le nuove azioni.",
        [],
    ),
]


def load() -> int:
    changes = 0
    kinds = {}
    for order, name in enumerate(KINDS, start=1):
        kind = GovernanceBodyKind.objects.filter(name=name).first()
        if kind is None or kind.order != order:
            kind = kind_save(actor=None, kind=kind, name=name, order=order)
            changes += 1
        kinds[name] = kind

    bodies: dict[str, GovernanceBody] = {}
    for slug, name, kind, parent, mandate, order in BODIES:
        wanted = {
            "name": name,
            "kind": kinds[kind],
            "parent": bodies.get(parent) if parent else None,
            "mandate": mandate,
            "order": order,
        }
        body = GovernanceBody.objects.filter(slug=slug).first()
        if body is None or any(getattr(body, field) != value for field, value in wanted.items()):
            body = body_save(actor=None, body=body, slug=slug, **wanted)
            changes += 1
        bodies[slug] = body

    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[m[1] for m in MEMBERS])}
    for slug, organisation_name, role in MEMBERS:
        organisation = organisations.get(organisation_name)
        if organisation is None:  # the stakeholders demo is not loaded: leave the seat out
            continue
        exists = BodyMember.objects.filter(body=bodies[slug], organisation=organisation, role=role).exists()
        if not exists:
            member_save(
                actor=None,
                body=bodies[slug],
                person_name="",
                organisation=organisation,
                role=role,
                since=SINCE,
                until=None,
            )
            changes += 1

    version = current_version()
    keys_by_code = {}
    if version is not None:
        keys_by_code = {code: str(key) for code, key in version.actions.values_list("code", "key")}
    for slug, when, summary, codes in DECISIONS:
        keys = [keys_by_code[code] for code in codes if code in keys_by_code]
        decision = Decision.objects.filter(body=bodies[slug], date=when, summary=summary).first()
        if decision is None or list(decision.action_keys) != keys:
            decision_save(
                actor=None, body=bodies[slug], decision=decision, date=when, summary=summary, action_keys=keys
            )
            changes += 1
    return changes
