"""The plan of the Prato demo: "Prato Smart City" from the preliminary scheme (2016) to the 2021 update note.

Public facts (DOMAIN.md): the guidelines were approved by the City Council on 21/07/2017, with yearly update notes
in 2019, 2020 and 2021; the actions' codes and titles are the published ones. Everything else (descriptions,
statuses, budgets, milestones, the indicators' values, the publication dates of the versions) is an invented
example, marked as demo content ("Esempio dimostrativo.", quality "demo", ``is_demo`` on every version).

Each version is built as the plan office does it: created from the previous one with ``version_create``, changed
through the services, then published. ``load`` builds only the versions that are missing, so a second run changes
nothing and returns 0.
"""

from datetime import date
from decimal import Decimal

from cittasmart.plan import services
from cittasmart.plan.models import GovernanceBody, PlanVersion, VersionStatus
from cittasmart.plan.selectors import plan_get
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.models import SurveyRecord

PLAN_TITLE = "Prato Smart City"
PLAN_SUMMARY = (
    "Il piano con cui il Comune di Prato, con le aziende partecipate e i portatori di interesse, orienta i progetti "
    "della città intelligente: dall'indagine sullo stato di sviluppo della Smart City alle linee guida approvate dal "
    "Consiglio comunale e ai loro aggiornamenti annuali."
)
DEMO = "Esempio dimostrativo."
DEMO_VALUE_NOTE = "Valore dimostrativo: non è un dato ufficiale."

COMUNE = "Comune di Prato"
PIN = "PIN s.c.r.l. – Polo Universitario Città di Prato"
CISPEL = "Confservizi CISPEL Toscana"
ESTRACOM = "Estracom S.p.A."
ASM_AMBIENTE = "ASM Ambiente Servizi Mobilità S.p.A."
CONSIAG = "Consiag Servizi Comuni S.r.l."
PUBLIACQUA = "Publiacqua S.p.A."
ESTRA = "Estra S.p.A."

# slug, kind, title, published_on (the approval date of the guidelines is a public fact; the other dates are examples)
VERSIONS = [
    {
        "slug": "2016",
        "kind": "preliminary",
        "title": "Schema preliminare del Piano Smart City",
        "published_on": date(2016, 12, 15),
        "summary": (
            "Prima proposta del piano, costruita sui risultati dell'indagine sullo stato di sviluppo della Smart "
            f"City avviata nel 2016. {DEMO} La data di pubblicazione è un esempio."
        ),
    },
    {
        "slug": "2017",
        "kind": "guidelines",
        "title": "Linee guida del Piano Smart City",
        "published_on": date(2017, 7, 28),
        "approval_body": "Consiglio comunale",
        "approval_act_type": "Deliberazione",
        "approval_date": date(2017, 7, 21),
        "summary": (
            "Linee guida approvate dal Consiglio comunale il 21/07/2017: gli obiettivi per ambito e le azioni "
            f"verticali (PR-V) e trasversali (PR-TRA) del piano. {DEMO} I contenuti di dettaglio sono esempi."
        ),
    },
    {
        "slug": "2019",
        "kind": "update",
        "title": "Nota di aggiornamento 2019",
        "published_on": date(2019, 6, 28),
        "summary": f"Aggiornamento annuale dello stato di attuazione delle azioni. {DEMO}",
    },
    {
        "slug": "2020",
        "kind": "update",
        "title": "Nota di aggiornamento 2020",
        "published_on": date(2020, 7, 15),
        "summary": f"Aggiornamento annuale dello stato di attuazione delle azioni. {DEMO}",
    },
    {
        "slug": "2021",
        "kind": "update",
        "title": "Nota di aggiornamento 2021",
        "published_on": date(2021, 6, 30),
        "summary": (
            "Aggiornamento annuale, che tiene conto dell'aggiornamento dell'indagine a febbraio 2021 (99 progetti "
            f"aggiornati e 34 nuovi). {DEMO}"
        ),
    },
]

# Objectives, created in the preliminary scheme: (title, ambito).
OBJECTIVES = [
    ("Una città più vivibile e accessibile", "living"),
    ("Mobilità sostenibile e sicura", "mobility"),
    ("Infrastrutture e piattaforme digitali per cittadini e imprese", "ict"),
    ("Un'amministrazione aperta e partecipata", "governance"),
]

# The actions (codes and titles as published). Objective index, ambiti, governance body slug, partners are examples.
ACTIONS = {
    "PR-V1": {
        "kind": "vertical",
        "title": "Progettazione di piazze e spazi pubblici",
        "objective": 0,
        "ambiti": ["living"],
        "governance_body": "comitato-tecnico",
        "partners": [],
        "horizon": "medium",
        "priority": "medium",
    },
    "PR-V3": {
        "kind": "vertical",
        "title": "Progettazione Macrolotto Zero",
        "objective": 0,
        "ambiti": ["living", "economy"],
        "governance_body": "comitato-tecnico",
        "partners": [PIN],
        "horizon": "long",
        "priority": "high",
    },
    "PR-V4": {
        "kind": "vertical",
        "title": "Riqualificazione rete piste ciclabili",
        "objective": 1,
        "ambiti": ["mobility"],
        "governance_body": "tavolo-smart-mobility",
        "partners": [ASM_AMBIENTE],
        "horizon": "medium",
        "priority": "high",
    },
    "PR-V9": {
        "kind": "vertical",
        "title": "Strumenti e metodi per la pianificazione e gestione integrata dei cantieri",
        "objective": 1,
        "ambiti": ["mobility", "governance"],
        "governance_body": "comitato-tecnico",
        "partners": [PUBLIACQUA, ESTRA, CONSIAG],
        "horizon": "medium",
        "priority": "medium",
    },
    "PR-TRA1": {
        "kind": "transversal",
        "title": "Sperimentazione urbana pre-commerciale di reti wireless 5G a Prato",
        "objective": 2,
        "ambiti": ["ict"],
        "governance_body": "smart-city-manager",
        "partners": [ESTRACOM, PIN],
        "horizon": "short",
        "priority": "high",
    },
    "PR-TRA2": {
        "kind": "transversal",
        "title": "Piattaforme IT evolute e integrazione dei servizi",
        "objective": 2,
        "ambiti": ["ict", "governance"],
        "governance_body": "smart-city-manager",
        "partners": [ESTRACOM, CISPEL],
        "horizon": "medium",
        "priority": "high",
    },
    "PR-TRA8": {
        "kind": "transversal",
        "title": "Smart Living Labs",
        "objective": 3,
        "ambiti": ["people", "living"],
        "governance_body": "smart-living-lab",
        "partners": [PIN],
        "horizon": "medium",
        "priority": "medium",
    },
    "PR-TRA9": {
        "kind": "transversal",
        "title": "Smart City Communication",
        "objective": 3,
        "ambiti": ["governance", "people"],
        "governance_body": "cabina-di-regia",
        "partners": [],
        "horizon": "short",
        "priority": "medium",
    },
}

# What each version says about each action: status, budget, dates, description (all examples).
STATE = {
    "2016": {
        "PR-V1": {"status": "proposed", "budget": Decimal("800000")},
        "PR-V3": {"status": "proposed", "budget": Decimal("2500000")},
        "PR-V4": {"status": "proposed", "budget": Decimal("1200000")},
        "PR-TRA2": {"status": "proposed", "budget": Decimal("600000")},
        "PR-TRA8": {"status": "proposed", "budget": None},
        "PR-TRA9": {"status": "proposed", "budget": Decimal("50000")},
    },
    "2017": {
        "PR-V1": {"status": "approved", "planned_start": date(2018, 1, 1), "planned_end": date(2020, 12, 31)},
        "PR-V3": {"status": "approved", "planned_start": date(2018, 1, 1), "planned_end": date(2022, 12, 31)},
        "PR-V4": {
            "status": "approved",
            "budget": Decimal("1500000"),
            "planned_start": date(2017, 10, 1),
            "planned_end": date(2021, 12, 31),
        },
        "PR-V9": {"status": "approved", "budget": Decimal("150000")},
        "PR-TRA1": {
            "status": "approved",
            "budget": Decimal("400000"),
            "planned_start": date(2017, 9, 1),
            "planned_end": date(2020, 12, 31),
        },
        "PR-TRA2": {"status": "approved"},
        "PR-TRA8": {"status": "approved", "budget": Decimal("120000")},
        "PR-TRA9": {"status": "approved"},
    },
    "2019": {
        "PR-V1": {"status": "in_progress", "actual_start": date(2018, 4, 1)},
        "PR-V3": {
            "status": "in_progress",
            "actual_start": date(2018, 6, 1),
            "funding": "Bilancio comunale; fondi europei (esempio)",
        },
        "PR-V4": {"status": "in_progress", "actual_start": date(2018, 3, 1)},
        "PR-TRA1": {"status": "in_progress", "actual_start": date(2017, 11, 1)},
        "PR-TRA2": {"status": "in_progress", "actual_start": date(2018, 9, 1), "budget": Decimal("750000")},
        "PR-TRA9": {
            "status": "completed",
            "actual_start": date(2018, 1, 15),
            "actual_end": date(2018, 12, 20),
        },
    },
    "2020": {
        "PR-V4": {"budget": Decimal("1800000")},
        "PR-V9": {"status": "in_progress", "actual_start": date(2020, 2, 1)},
        "PR-TRA1": {"status": "completed", "actual_end": date(2020, 6, 30)},
        "PR-TRA8": {
            "status": "suspended",
            "progress_override": 20,
            "progress_reason": "Attività in presenza sospese nel 2020 (esempio).",
        },
    },
    "2021": {
        "PR-V1": {"status": "completed", "actual_end": date(2021, 3, 31)},
        "PR-V4": {"budget": Decimal("2100000"), "funding": "Bilancio comunale; PNRR (candidatura, esempio)"},
        "PR-TRA8": {
            "status": "in_progress",
            "progress_override": 45,
            "progress_reason": "Ripresa delle attività (esempio).",
        },
    },
}

# Milestones: (action, title, due, version in which it is added, version in which it is done).
MILESTONES = [
    ("PR-V4", "Progetto di fattibilità della rete", date(2018, 3, 31), "2017", "2019"),
    ("PR-V4", "Primo lotto di piste realizzato", date(2019, 12, 31), "2017", "2020"),
    ("PR-V4", "Secondo lotto di piste realizzato", date(2021, 12, 31), "2019", None),
    ("PR-TRA1", "Accordo per la sperimentazione", date(2017, 12, 31), "2017", "2019"),
    ("PR-TRA1", "Primi servizi 5G sperimentali attivi", date(2019, 12, 31), "2017", "2020"),
    ("PR-TRA2", "Catalogo dei servizi online", date(2019, 6, 30), "2019", "2020"),
    ("PR-TRA2", "Integrazione dei pagamenti online", date(2021, 12, 31), "2019", None),
]

# Survey records linked to actions (in the guidelines), found by their reference domain: (action, ambito, how many).
RECORD_LINKS = [
    ("PR-V4", "mobility", 3),
    ("PR-TRA1", "ict", 2),
    ("PR-TRA2", "governance", 2),
    ("PR-TRA8", "living", 2),
]

# Indicators, created in the guidelines: code, fields.
INDICATORS = {
    "MOB-1": {
        "name": "Chilometri di piste ciclabili",
        "definition": f"Lunghezza complessiva della rete di piste ciclabili nel territorio comunale. {DEMO}",
        "unit": "km",
        "logic_type": "output",
        "level": "action",
        "action": "PR-V4",
        "iso_theme": "Transportation",
    },
    "ICT-1": {
        "name": "Hotspot Wi-Fi pubblici",
        "definition": f"Punti di accesso Wi-Fi pubblici e gratuiti attivi a fine anno. {DEMO}",
        "unit": "n.",
        "logic_type": "output",
        "level": "city",
        "action": None,
        "iso_theme": "Telecommunication",
    },
    "ICT-2": {
        "name": "Unità abitative raggiunte da connessioni ad almeno 100 Mbit/s",
        "definition": f"Quota delle unità abitative raggiunte da una connessione di almeno 100 Mbit/s. {DEMO}",
        "unit": "%",
        "logic_type": "outcome",
        "level": "city",
        "action": None,
        "iso_theme": "Telecommunication",
    },
    "GOV-1": {
        "name": "Quota di servizi comunali disponibili online",
        "definition": f"Servizi del Comune che si possono chiedere e ottenere interamente online, sul totale. {DEMO}",
        "unit": "%",
        "logic_type": "output",
        "level": "action",
        "action": "PR-TRA2",
        "iso_theme": "Governance",
    },
}

# Measurements (all demo values): version in which they are entered -> indicator -> (period, value, target, baseline).
MEASUREMENTS = {
    "2017": {
        "MOB-1": [("2016", "62", None, True), ("2021", None, "90", False)],
        "ICT-1": [("2016", "35", None, True), ("2021", None, "150", False)],
        "ICT-2": [("2016", "18", None, True), ("2021", None, "70", False)],
        "GOV-1": [("2016", "22", None, True), ("2021", None, "60", False)],
    },
    "2019": {
        "MOB-1": [("2018", "68.5", None, False)],
        "ICT-1": [("2018", "72", None, False)],
        "ICT-2": [("2018", "34", None, False)],
        "GOV-1": [("2018", "31", None, False)],
    },
    "2020": {
        "MOB-1": [("2019", "74", None, False)],
        "ICT-1": [("2019", "96", None, False)],
        "ICT-2": [("2019", "45", None, False)],
        "GOV-1": [("2019", "38", None, False)],
    },
    "2021": {
        "MOB-1": [("2020", "79.2", None, False)],
        "ICT-1": [("2020", "118", None, False)],
        "ICT-2": [("2020", "57", None, False)],
        "GOV-1": [("2020", "52", None, False)],
    },
}


def _description(code: str, slug: str) -> str:
    title = ACTIONS[code]["title"]
    state = {
        "2016": "Proposta dello schema preliminare.",
        "2017": "Azione approvata con le linee guida: obiettivi, soggetti coinvolti e tempi indicativi.",
    }.get(slug, f"Stato di attuazione aggiornato con la nota {slug}.")
    return f"{DEMO} {title}: descrizione inventata per mostrare come evolve un'azione del piano. {state}"


def _organisations() -> dict[str, Organisation]:
    names = {COMUNE, *(p for spec in ACTIONS.values() for p in spec["partners"])}
    found = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    host = Organisation.objects.filter(is_host_entity=True).first()
    if host is not None:
        found.setdefault(COMUNE, host)
    return found


def _records(ambito: str, how_many: int) -> list[SurveyRecord]:
    return list(
        SurveyRecord.objects.filter(
            is_validated=True, is_demo=True, reference_ambito=ambito, visibility="public"
        ).order_by("round__year", "title", "id")[:how_many]
    )


def _build(plan, spec: dict, organisations: dict, bodies: dict) -> int:
    """Create the version of ``spec`` from the newest one, change what changes, publish it."""
    slug = spec["slug"]
    fields = {k: v for k, v in spec.items() if k not in ("slug", "published_on")}
    version = services.version_create(actor=None, plan=plan, slug=slug, is_demo=True, **fields)
    changes = 1
    if slug == "2016":
        for order, (title, ambito) in enumerate(OBJECTIVES, start=1):
            services.objective_save(
                actor=None, version=version, title=title, ambito=ambito, order=order, description=DEMO
            )
            changes += 1
    objectives = list(version.objectives.order_by("order"))
    existing = {a.code: a for a in version.actions.all()}
    for code, state in STATE.get(slug, {}).items():
        action_spec = ACTIONS[code]
        action = existing.get(code)
        fields = {**state, "description": _description(code, slug)}
        extra = {}
        if action is None:
            fields.update(
                code=code,
                kind=action_spec["kind"],
                title=action_spec["title"],
                objective=objectives[action_spec["objective"]] if objectives else None,
                responsible=organisations.get(COMUNE),
                governance_body=bodies.get(action_spec["governance_body"]),
                horizon=action_spec["horizon"],
                priority=action_spec["priority"],
            )
            extra = {
                "ambiti": action_spec["ambiti"],
                "partners": [organisations[p] for p in action_spec["partners"] if p in organisations],
            }
        elif action.governance_body_id is None and bodies.get(action_spec["governance_body"]):
            fields["governance_body"] = bodies[action_spec["governance_body"]]
        existing[code] = services.action_save(actor=None, version=version, action=action, **extra, **fields)
        changes += 1
    if slug == "2017":
        for code, ambito, how_many in RECORD_LINKS:
            records = _records(ambito, how_many)
            if records:
                services.action_save(
                    actor=None, version=version, action=existing[code], survey_records=records
                )
                changes += 1
    for code, title, due, added_in, done_in in MILESTONES:
        if added_in == slug:
            services.milestone_save(actor=None, action=existing[code], title=title, due=due, done=False)
            changes += 1
        elif done_in == slug:
            milestone = existing[code].milestones.get(title=title)
            services.milestone_save(actor=None, action=existing[code], milestone=milestone, done=True)
            changes += 1
    if slug == "2017":
        for code, indicator_spec in INDICATORS.items():
            fields = {**indicator_spec, "code": code, "direction": "higher", "periodicity": "yearly"}
            fields["action"] = existing.get(indicator_spec["action"]) if indicator_spec["action"] else None
            fields["source"] = "Comune di Prato (valori dimostrativi)"
            fields["source_organisation"] = organisations.get(COMUNE)
            services.indicator_save(actor=None, version=version, **fields)
            changes += 1
    indicators = {i.code: i for i in version.indicators.all()}
    for code, rows in MEASUREMENTS.get(slug, {}).items():
        for period, value, target, baseline in rows:
            services.measurement_save(
                actor=None,
                indicator=indicators[code],
                period=period,
                period_end=date(int(period), 12, 31),
                value=Decimal(value) if value is not None else None,
                target=Decimal(target) if target is not None else None,
                is_baseline=baseline,
                quality="demo",
                source="Esempio dimostrativo",
                note=DEMO_VALUE_NOTE,
            )
            changes += 1
    services.version_publish(actor=None, version=version, published_on=spec["published_on"])
    return changes


def _governance() -> int:
    try:
        from cittasmart.plan import demo_governance
    except ImportError:  # pragma: no cover - the governance demo is optional
        return 0
    return demo_governance.load()


def load() -> int:
    # The governance bodies first, so that actions can name the body in charge; the governance demo runs again at
    # the end so that its decisions can refer to the actions of the current version.
    changes = _governance()
    plan = plan_get()
    if plan is None:
        plan = services.plan_create(actor=None, title=PLAN_TITLE, summary=PLAN_SUMMARY)
        changes += 1
    versions = {v.slug: v for v in PlanVersion.objects.filter(plan=plan)}
    missing = [spec for spec in VERSIONS if spec["slug"] not in versions]
    if missing:
        if plan.versions.filter(status=VersionStatus.DRAFT).exists():
            # Someone is preparing a version: the demo does not touch the plan.
            return changes
        organisations = _organisations()
        bodies = {b.slug: b for b in GovernanceBody.objects.all()}
        for spec in missing:
            changes += _build(plan, spec, organisations, bodies)
    changes += _governance()
    return changes
