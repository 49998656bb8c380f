"""The survey of the Prato demo: two published rounds whose totals are the published ones.

Public facts (DOMAIN.md): the first round, started in 2016 by PIN with Confservizi CISPEL Toscana, collected 150
items, 98 projects and 52 ideas, 111 from participated companies and 39 from the Comune; the update to February
2021 interviewed 10 participated companies, with 99 projects updated and 34 new ones, mostly in Smart Environment
and Smart Mobility. The ICT section of the first round is the published one too: 19 projects in ICT, 2 initiatives
in design (ideas) and 4 projects of other ambiti with an impact on ICT. Only those figures are real: every single
record below is an invented example, marked as demo content and described as such ("Esempio dimostrativo.").

The records are generated from a fixed seed, so every run builds the same demo; ``load`` creates only what is
missing (rounds by title, records by round and title) and returns how many things it created.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.models import RecordKind, RecordStatus, RoundStatus, SurveyRecord, SurveyRound
from cittasmart.survey.services import record_save, round_create, round_set_status

SEED = 20160217

HOST = "host"  # stands for the host entity (the Comune), found by ``is_host_entity``
PIN = "PIN s.c.r.l. – Polo Universitario Città di Prato"
CISPEL = "Confservizi CISPEL Toscana"
ESTRA = "Estra S.p.A."
ALIA = "Alia S.p.A."
PUBLIACQUA = "Publiacqua S.p.A."
ASM_AMBIENTE = "ASM Ambiente Servizi Mobilità S.p.A."
CAP = "CAP Società Cooperativa"
ESTRACOM = "Estracom S.p.A."
CITELUM = "Citelum Italia S.p.A."
CONSIAG = "Consiag Servizi Comuni S.r.l."
TOSCANA_ENERGIA = "Toscana Energia S.p.A."
GIDA = "G.I.D.A. S.p.A."
ASM_SERVIZI = "ASM Servizi srl"
EPP = "Edilizia Pubblica Pratese S.p.A."
ESTRACLIMA = "Estraclima S.r.l."
PUBLIES = "Publies Energia Sicura S.r.l."
INTERPORTO = "Interporto della Toscana Centrale S.p.A."

ROUNDS = [
    {
        "title": "Indagine 2016/2017",
        "year": 2017,
        "description": (
            "Prima rilevazione dello stato di sviluppo della Smart City, avviata nel 2016 da PIN s.c.r.l. – Polo "
            "Universitario Città di Prato con Confservizi CISPEL Toscana, tramite un questionario al Comune e alle "
            "aziende partecipate: 150 schede, di cui 98 progetti e 52 idee; 111 delle aziende partecipate e 39 del "
            "Comune. Nella demo i totali sono quelli pubblicati, mentre le singole schede sono esempi dimostrativi."
        ),
    },
    {
        "title": "Aggiornamento febbraio 2021",
        "year": 2021,
        "description": (
            "Aggiornamento dell'indagine a febbraio 2021: intervistate 10 aziende partecipate, 99 progetti "
            "aggiornati e 34 nuovi, soprattutto negli ambiti Smart Environment e Smart Mobility. Nella demo i "
            "totali sono quelli pubblicati, mentre le singole schede sono esempi dimostrativi."
        ),
    },
]

# Round 1: how many records each organisation reported. Host: 39; participated companies: 111, of which 102 from
# the ten companies interviewed again in 2021.
INTERVIEWED_2021 = {
    ESTRA: 14,
    ALIA: 13,
    PUBLIACQUA: 12,
    ASM_AMBIENTE: 11,
    CAP: 10,
    ESTRACOM: 10,
    CITELUM: 9,
    CONSIAG: 8,
    TOSCANA_ENERGIA: 8,
    GIDA: 7,
}
OTHER_COMPANIES = {ASM_SERVIZI: 2, EPP: 3, ESTRACLIMA: 2, PUBLIES: 1, INTERPORTO: 1}
HOST_RECORDS = 39
HOST_PROJECTS, HOST_IDEAS = 25, 14
COMPANY_PROJECTS, COMPANY_IDEAS = 73, 38  # 98 projects and 52 ideas in all
UPDATED_2021 = 99
# Round 1, ICT section (the published finding): 19 projects and 2 ideas with reference ambito ICT, and 4 projects of
# other ambiti with an impact on ICT. No idea of another ambito has an impact on ICT, so "4 projects from other
# ambiti" reads the same whether one counts projects only or projects and ideas.
ICT_PROJECTS, ICT_IDEAS = 19, 2
ICT_IMPACT_PROJECTS = 4

GOV, ECO, MOB, ENV, PEO, LIV, ICT = (
    "governance",
    "economy",
    "mobility",
    "environment",
    "people",
    "living",
    "ict",
)

# Invented but plausible subjects, by organisation: (reference ambito, title).
TOPICS: dict[str, list[tuple[str, str]]] = {
    HOST: [
        (GOV, "Sportello telematico per le pratiche edilizie"),
        (GOV, "Pagamenti online pagoPA dei servizi comunali"),
        (GOV, "Portale dei dati aperti del Comune"),
        (GOV, "Fascicolo digitale del cittadino"),
        (GOV, "Segnalazioni dei cittadini tramite app"),
        (GOV, "Consultazioni pubbliche online"),
        (GOV, "Conservazione digitale degli atti"),
        (GOV, "Accesso ai servizi comunali con SPID"),
        (PEO, "Corsi di alfabetizzazione digitale per la terza età"),
        (PEO, "Laboratori di coding nelle scuole primarie"),
        (PEO, "Punti di facilitazione digitale nelle biblioteche"),
        (PEO, "Iscrizioni online ai servizi educativi"),
        (LIV, "Videosorveglianza integrata dei luoghi pubblici"),
        (LIV, "Biblioteca digitale e prestito di e-book"),
        (LIV, "Prenotazione online degli impianti sportivi"),
        (LIV, "Teleassistenza per anziani soli"),
        (LIV, "Visite virtuali ai musei civici"),
        (LIV, "Mappa interattiva dei servizi sociali"),
        (MOB, "Varchi elettronici della zona a traffico limitato"),
        (MOB, "Contatori di biciclette sulle piste ciclabili"),
        (MOB, "Pannelli di infomobilità sulle strade di accesso"),
        (MOB, "Bike sharing a stazioni fisse"),
        (MOB, "Pianificazione digitale dei cantieri stradali"),
        (ICT, "Wi-Fi libero nelle piazze del centro"),
        (ICT, "Piattaforma integrata dei servizi online"),
        (ICT, "Rete in fibra tra le sedi comunali"),
        (ICT, "Migrazione dei sistemi comunali al cloud"),
        (ICT, "Sistema informativo territoriale integrato"),
        (ICT, "Centrale unica di sicurezza informatica"),
        (ECO, "SUAP digitale per le attività produttive"),
        (ECO, "Vetrina online del commercio di vicinato"),
        (ECO, "Mappa delle aree produttive disponibili"),
        (ENV, "Monitoraggio dei consumi energetici delle scuole"),
        (ENV, "Censimento digitale degli alberi cittadini"),
        (ENV, "Sensori per la qualità dell'aria"),
    ],
    ESTRA: [
        (ENV, "Contatori gas con telelettura"),
        (GOV, "Sportello clienti online"),
        (MOB, "Colonnine di ricarica per veicoli elettrici"),
        (ENV, "Impianti fotovoltaici sulle coperture pubbliche"),
        (ENV, "Comunità energetica di quartiere"),
        (ECO, "Servizi di efficienza energetica per le imprese"),
        (PEO, "Educazione al risparmio energetico nelle scuole"),
        (ENV, "Teleriscaldamento da fonti rinnovabili"),
        (ENV, "Diagnosi energetiche per le piccole imprese"),
    ],
    ALIA: [
        (ENV, "Raccolta porta a porta con contenitori dotati di tag RFID"),
        (ENV, "Cassonetti stradali ad accesso controllato con tessera"),
        (GOV, "App con il calendario della raccolta differenziata"),
        (ENV, "Pesatura dei rifiuti per la tariffa puntuale"),
        (ENV, "Ottimizzazione dei percorsi dei mezzi di raccolta"),
        (MOB, "Mezzi di raccolta alimentati a metano"),
        (ENV, "Centri di raccolta con accesso tramite tessera sanitaria"),
        (ENV, "Sensori di riempimento delle campane del vetro"),
        (PEO, "Campagne di educazione ambientale nelle scuole"),
        (LIV, "Segnalazione degli abbandoni di rifiuti con foto"),
    ],
    PUBLIACQUA: [
        (ENV, "Telecontrollo della rete idrica"),
        (ENV, "Contatori dell'acqua con telelettura"),
        (ENV, "Ricerca delle perdite con sensori acustici"),
        (LIV, "Fontanelli di acqua di alta qualità"),
        (ENV, "Modello idraulico digitale della rete"),
        (GOV, "Sportello online per gli utenti del servizio idrico"),
        (ENV, "Distrettualizzazione della rete di distribuzione"),
        (ICT, "Cartografia digitale delle reti idriche"),
    ],
    ASM_AMBIENTE: [
        (MOB, "Sensori di occupazione degli stalli di sosta"),
        (MOB, "Pagamento della sosta tramite app"),
        (MOB, "Parcheggi scambiatori con conteggio dei posti liberi"),
        (MOB, "Pannelli a messaggio variabile per i parcheggi"),
        (ENV, "Spazzamento stradale programmato con GPS"),
        (MOB, "Permessi di sosta per residenti online"),
        (ENV, "Monitoraggio dei consumi dei mezzi aziendali"),
        (MOB, "Car sharing elettrico"),
    ],
    CAP: [
        (MOB, "Bigliettazione elettronica sui bus urbani"),
        (MOB, "Localizzazione satellitare dei bus"),
        (MOB, "Paline elettroniche alle fermate"),
        (MOB, "Orari dei bus in tempo reale via app e open data"),
        (MOB, "Autobus elettrici sulle linee urbane"),
        (MOB, "Bus a chiamata per le frazioni"),
        (ICT, "Wi-Fi a bordo dei bus"),
        (MOB, "Conteggio automatico dei passeggeri"),
    ],
    ESTRACOM: [
        (ICT, "Fibra ottica FTTH nelle aree industriali"),
        (ICT, "Rete Wi-Fi pubblica cittadina"),
        (ICT, "Data center per i servizi pubblici locali"),
        (ICT, "Rete LoRaWAN per i sensori urbani"),
        (ICT, "Sperimentazione di una rete 5G"),
        (ECO, "Banda ultralarga per le imprese del distretto tessile"),
        (ICT, "Collegamento in fibra delle scuole"),
    ],
    CITELUM: [
        (ENV, "Illuminazione pubblica a LED"),
        (ENV, "Telegestione dei punti luce"),
        (ICT, "Pali intelligenti multiservizio"),
        (MOB, "Semafori intelligenti agli incroci principali"),
        (LIV, "Illuminazione dei monumenti e delle mura"),
        (MOB, "Attraversamenti pedonali illuminati con sensori"),
    ],
    CONSIAG: [
        (ENV, "Efficientamento energetico degli edifici comunali"),
        (LIV, "Gestione digitale dei servizi cimiteriali"),
        (ENV, "Manutenzione programmata del verde pubblico"),
        (GOV, "Anagrafe digitale del patrimonio immobiliare"),
        (ENV, "Monitoraggio dei consumi idrici degli edifici pubblici"),
    ],
    TOSCANA_ENERGIA: [
        (ENV, "Contatori gas intelligenti"),
        (ENV, "Ispezione della rete gas con veicoli dotati di sensori"),
        (MOB, "Distributori di metano per autotrazione"),
        (ENV, "Immissione di biometano nella rete"),
        (ENV, "Telecontrollo delle cabine di riduzione del gas"),
        (ICT, "Cartografia digitale della rete gas"),
    ],
    GIDA: [
        (ENV, "Monitoraggio in continuo degli scarichi industriali"),
        (ENV, "Riuso delle acque depurate per il distretto tessile"),
        (ENV, "Recupero energetico dai fanghi di depurazione"),
        (ECO, "Servizi digitali per le aziende allacciate"),
        (ENV, "Telecontrollo degli impianti di depurazione"),
    ],
    ASM_SERVIZI: [
        (GOV, "Gestione documentale digitale"),
        (ICT, "Rete dati aziendale in fibra"),
    ],
    EPP: [
        (ENV, "Efficientamento energetico degli alloggi popolari"),
        (LIV, "Sportello online per gli inquilini"),
        (LIV, "Domotica per l'autonomia degli anziani negli alloggi"),
    ],
    ESTRACLIMA: [
        (ENV, "Telegestione degli impianti termici degli edifici pubblici"),
        (ENV, "Contabilizzazione del calore nei condomini"),
    ],
    PUBLIES: [(ENV, "Catasto digitale degli impianti termici")],
    INTERPORTO: [(ECO, "Piattaforma digitale per la logistica delle merci")],
}

# Round 2: the new records (34), by organisation; mostly Smart Environment and Smart Mobility.
NEW_TOPICS_2021: dict[str, list[tuple[str, str]]] = {
    ESTRA: [
        (MOB, "Ricarica di veicoli elettrici nei parcheggi scambiatori"),
        (ENV, "Comunità energetiche rinnovabili nei quartieri"),
        (ENV, "Fotovoltaico con accumulo per gli edifici scolastici"),
        (ENV, "Idrogeno verde per il trasporto pubblico"),
        (MOB, "Flotta aziendale elettrica"),
    ],
    ALIA: [
        (ENV, "Tariffa puntuale con conferimenti tracciati"),
        (ENV, "Isole ecologiche interrate intelligenti"),
        (ENV, "Recupero degli scarti tessili"),
        (GOV, "Prenotazione online del ritiro degli ingombranti"),
    ],
    PUBLIACQUA: [
        (ENV, "Gemello digitale della rete idrica"),
        (ENV, "Contatori intelligenti di distretto contro le perdite"),
        (ENV, "Monitoraggio satellitare delle condotte"),
    ],
    ASM_AMBIENTE: [
        (MOB, "Monopattini elettrici in sharing"),
        (MOB, "Ciclostazioni custodite presso la stazione"),
        (MOB, "Guida al posto libero nei parcheggi"),
        (ENV, "Spazzatrici stradali elettriche"),
        (MOB, "Logistica urbana delle merci a basse emissioni"),
    ],
    CAP: [
        (MOB, "Autobus a idrogeno"),
        (MOB, "Pagamento del biglietto con carta contactless"),
        (MOB, "Bus a chiamata prenotabile da app"),
        (MOB, "Conta-passeggeri per il distanziamento a bordo"),
    ],
    CITELUM: [
        (ENV, "Riqualificazione a LED dell'illuminazione delle frazioni"),
        (MOB, "Sensori di traffico sui pali della luce"),
        (ICT, "Sensori ambientali sulla rete di illuminazione"),
    ],
    ESTRACOM: [
        (ICT, "Rete 5G per i servizi pubblici"),
        (ICT, "Piattaforma dati per la sala di controllo del territorio"),
        (ICT, "Fibra nelle aree bianche del territorio comunale"),
    ],
    CONSIAG: [
        (ENV, "Diagnosi energetiche degli edifici pubblici"),
        (ENV, "Sensori di umidità per l'irrigazione del verde"),
    ],
    TOSCANA_ENERGIA: [
        (ENV, "Contatori gas di nuova generazione in rete NB-IoT"),
        (MOB, "Stazioni di rifornimento a biometano"),
        (ENV, "Rete gas predisposta per l'idrogeno"),
    ],
    GIDA: [
        (ENV, "Depuratore alimentato da energia rinnovabile"),
        (ENV, "Recupero di materia dai fanghi"),
    ],
}

PLACES = [
    "centro storico",
    "Macrolotto Zero",
    "Macrolotto 1",
    "San Paolo",
    "Galciana",
    "Mezzana",
    "Iolo",
    "Tavola",
    "Chiesanuova",
    "Santa Lucia",
    "Coiano",
    "Maliseti",
    "Viaccia",
    "Capezzana",
    "Narnali",
    "Grignano",
    "Fontanelle",
    "Paperino",
]

RELATED = {
    GOV: [LIV, ICT, ECO],
    ECO: [ICT, ENV, GOV],
    MOB: [ENV, LIV, ICT],
    ENV: [LIV, ECO, MOB],
    PEO: [LIV, GOV, ICT],
    LIV: [PEO, ENV, GOV],
    ICT: [GOV, ECO, PEO],
}

AMBITO_TEXT = {
    GOV: "Riguarda i servizi online, la trasparenza e la partecipazione.",
    ECO: "Riguarda i servizi a sostegno delle attività economiche.",
    MOB: "Riguarda trasporti, sosta, ciclabilità e traffico.",
    ENV: "Riguarda energia, rifiuti, acqua e sostenibilità.",
    PEO: "Riguarda istruzione, inclusione e competenze digitali.",
    LIV: "Riguarda qualità della vita, salute, sicurezza, abitare e cultura.",
    ICT: "Riguarda reti a banda ultralarga, Wi-Fi e piattaforme digitali.",
}
STATUS_IT = {
    RecordStatus.IDEA: "idea",
    RecordStatus.PLANNED: "pianificato",
    RecordStatus.IN_PROGRESS: "in corso",
    RecordStatus.COMPLETED: "concluso",
    RecordStatus.SUSPENDED: "sospeso",
}
DEMO_NOTE = "Esempio dimostrativo."

# Prato, roughly the middle of the city.
CENTRE_LAT, CENTRE_LON = 43.8790, 11.0980


@dataclass
class RecordSpec:
    owner: str
    title: str
    fields: dict
    impact_ambiti: list[str] = field(default_factory=list)
    partners: list[tuple[str, str]] = field(default_factory=list)  # (organisation name or HOST, role)
    funding: list[dict] = field(default_factory=list)
    update_of: str = ""  # title of the round-1 record it updates


# --- Generation (pure, deterministic) -------------------------------------------------------------------


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, -3) if value >= 10_000 else round(value, -2))).quantize(Decimal("0.01"))


def _month(year: int, month: int, add: int) -> date:
    index = year * 12 + (month - 1) + add
    return date(index // 12, index % 12 + 1, 1)


def _audiences(rng: random.Random, ambito: str) -> dict[str, bool]:
    chances = {
        GOV: (0.9, 0.4, 0.05, 0.5),
        ECO: (0.3, 1.0, 0.0, 0.2),
        MOB: (0.95, 0.3, 0.1, 0.1),
        ENV: (0.8, 0.4, 0.1, 0.3),
        PEO: (0.7, 0.1, 0.7, 0.1),
        LIV: (0.95, 0.1, 0.2, 0.1),
        ICT: (0.6, 0.6, 0.2, 0.4),
    }[ambito]
    picked = {
        f"audience_{name}": rng.random() < chance
        for name, chance in zip(("citizens", "businesses", "schools", "internal"), chances, strict=True)
    }
    if not any(picked.values()):
        picked["audience_citizens"] = True
    return picked


def _funding(rng: random.Random, owner: str, budget: Decimal | None, new_in_2021: bool) -> list[dict]:
    if budget is None:
        return []
    main = "municipal" if owner == HOST else "own"
    main_programme = "Bilancio comunale" if owner == HOST else "Fondi propri"
    extra = [
        ("eu", "POR FESR Toscana 2014-2020"),
        ("regional", "Bando regionale per l'innovazione"),
        ("national", "Programma nazionale per la banda ultralarga"),
        ("private", "Partner privato"),
    ]
    if new_in_2021:
        extra.append(("pnrr", "PNRR (candidatura)"))
    if rng.random() < 0.7:
        return [{"type": main, "programme": main_programme, "amount": budget}]
    kind, programme = rng.choice(extra)
    share = _money(float(budget) * rng.choice((0.3, 0.4, 0.5, 0.6)))
    return [
        {"type": main, "programme": main_programme, "amount": budget - share},
        {"type": kind, "programme": programme, "amount": share},
    ]


def _partners(rng: random.Random, owner: str, ambito: str) -> list[tuple[str, str]]:
    if rng.random() >= 0.3:
        return []
    if owner == HOST:
        supplier = {ENV: CONSIAG, MOB: ASM_AMBIENTE, ICT: ESTRACOM, LIV: CITELUM}.get(ambito, ESTRACOM)
        partners = [(supplier, "supplier")]
    else:
        partners = [(HOST, rng.choice(("partner", "partner", "funder")))]
    if rng.random() < 0.25:
        partners.append((PIN, "partner"))
    return partners


def _location(rng: random.Random) -> dict[str, Decimal]:
    lat = CENTRE_LAT + rng.uniform(-0.028, 0.028)
    lon = CENTRE_LON + rng.uniform(-0.045, 0.045)
    return {"latitude": Decimal(f"{lat:.6f}"), "longitude": Decimal(f"{lon:.6f}")}


def _description(kind: str, ambito: str) -> str:
    if kind == RecordKind.PROJECT:
        what = "Progetto inventato per mostrare una scheda dell'indagine"
    else:
        what = "Idea per un'iniziativa futura, inventata per mostrare una scheda dell'indagine"
    return f"{DEMO_NOTE} {what}: non descrive un'iniziativa reale dell'organizzazione indicata. {AMBITO_TEXT[ambito]}"


def _titles(rng: random.Random, topics: list[tuple[str, str]], count: int, taken: set[str]):
    """``count`` (ambito, title) pairs: each subject once, then the same subjects in other neighbourhoods."""
    result = []
    for i in range(count):
        ambito, subject = topics[i % len(topics)]
        title = subject
        while title in taken:
            title = f"{subject} – {rng.choice(PLACES)}"
        taken.add(title)
        result.append((ambito, title))
    return result


def _first_round_record(
    rng: random.Random, owner: str, kind: str, ambito: str, title: str, impact_on_ict: bool = False
) -> RecordSpec:
    fields: dict = {"kind": kind, "title": title, "reference_ambito": ambito}
    fields["description"] = _description(kind, ambito)
    fields.update(_audiences(rng, ambito))
    budget = None
    if kind == RecordKind.PROJECT:
        status = rng.choices(
            [RecordStatus.PLANNED, RecordStatus.IN_PROGRESS, RecordStatus.COMPLETED, RecordStatus.SUSPENDED],
            weights=[15, 45, 33, 7],
        )[0]
        fields["status"] = status
        if status == RecordStatus.PLANNED:
            start = date(rng.choice((2017, 2018)), rng.randint(1, 12), 1)
            fields["planned_start"] = start
            fields["planned_end"] = _month(start.year, start.month, rng.randint(6, 36))
        else:
            start = date(rng.randint(2012, 2016), rng.randint(1, 12), 1)
            fields["planned_start"] = start
            fields["planned_end"] = _month(start.year, start.month, rng.randint(6, 36))
            fields["actual_start"] = _month(start.year, start.month, rng.randint(0, 4))
            if status == RecordStatus.COMPLETED:
                actual = fields["actual_start"]
                end = _month(actual.year, actual.month, rng.randint(3, 30))
                fields["actual_end"] = min(end, date(2017, 3, 1))
                if fields["actual_end"] < actual:
                    fields["actual_end"] = actual
        if rng.random() < 0.8:
            budget = _money(math.exp(rng.uniform(math.log(15_000), math.log(4_000_000))))
        if ambito in (MOB, ENV, LIV) and rng.random() < 0.33:
            fields.update(_location(rng))
    else:
        fields["status"] = RecordStatus.IDEA
        if rng.random() < 0.35:
            budget = _money(math.exp(rng.uniform(math.log(10_000), math.log(1_500_000))))
    fields["budget"] = budget
    # An impact on ICT only where ``impact_on_ict`` says so: the published ICT figures fix how many there are.
    related = [a for a in RELATED[ambito] if a != ICT]
    impacts = []
    if rng.random() < 0.45:
        impacts = rng.sample(related, rng.choice((1, 1, 2)))
    if impact_on_ict:
        impacts.append(ICT)
    return RecordSpec(
        owner=owner,
        title=title,
        fields=fields,
        impact_ambiti=sorted(impacts),
        partners=_partners(rng, owner, ambito),
        funding=_funding(rng, owner, budget, new_in_2021=False),
    )


def _first_round_kinds(rng: random.Random, plan: list[tuple[str, str, str]]) -> list[str]:
    """The kind of each planned (owner, ambito, title) of round 1.

    The ICT records get exactly ``ICT_PROJECTS`` projects and ``ICT_IDEAS`` ideas; the others get what is left of
    the published totals of their owner group (the host entity, the participated companies), shuffled.
    """
    ict = [i for i, (_owner, ambito, _title) in enumerate(plan) if ambito == ICT]
    if len(ict) != ICT_PROJECTS + ICT_IDEAS:
        raise ValueError(f"The round-1 topics give {len(ict)} ICT records, not {ICT_PROJECTS + ICT_IDEAS}.")
    ict_ideas = set(rng.sample(ict, ICT_IDEAS))
    kinds: dict[int, str] = {i: RecordKind.IDEA if i in ict_ideas else RecordKind.PROJECT for i in ict}
    for is_host, projects, ideas in (
        (True, HOST_PROJECTS, HOST_IDEAS),
        (False, COMPANY_PROJECTS, COMPANY_IDEAS),
    ):
        group = [i for i, (owner, _ambito, _title) in enumerate(plan) if (owner == HOST) == is_host]
        taken = [kinds[i] for i in group if i in kinds]
        rest = [RecordKind.PROJECT] * (projects - taken.count(RecordKind.PROJECT))
        rest += [RecordKind.IDEA] * (ideas - taken.count(RecordKind.IDEA))
        rng.shuffle(rest)
        kinds.update(zip([i for i in group if i not in kinds], rest, strict=True))
    return [kinds[i] for i in range(len(plan))]


def _ict_impact_projects(rng: random.Random, plan: list[tuple[str, str, str]], kinds: list[str]) -> set[int]:
    """Which round-1 records have an impact on ICT: ``ICT_IMPACT_PROJECTS`` projects of related ambiti."""
    candidates = [
        i
        for i, ((_owner, ambito, _title), kind) in enumerate(zip(plan, kinds, strict=True))
        if kind == RecordKind.PROJECT and ambito != ICT and ICT in RELATED[ambito]
    ]
    return set(rng.sample(candidates, ICT_IMPACT_PROJECTS))


NEXT_STATUS = {
    RecordStatus.PLANNED: (
        [RecordStatus.IN_PROGRESS, RecordStatus.COMPLETED, RecordStatus.PLANNED],
        [60, 20, 20],
    ),
    RecordStatus.IN_PROGRESS: (
        [RecordStatus.COMPLETED, RecordStatus.IN_PROGRESS, RecordStatus.SUSPENDED],
        [55, 35, 10],
    ),
    RecordStatus.COMPLETED: ([RecordStatus.COMPLETED], [1]),
    RecordStatus.SUSPENDED: ([RecordStatus.IN_PROGRESS, RecordStatus.SUSPENDED], [30, 70]),
}


def _update_record(rng: random.Random, earlier: RecordSpec) -> RecordSpec:
    """The 2021 version of a round-1 record: a fifth unchanged, the others moved on."""
    fields = dict(earlier.fields)
    update = RecordSpec(
        owner=earlier.owner,
        title=earlier.title,
        fields=fields,
        impact_ambiti=list(earlier.impact_ambiti),
        partners=list(earlier.partners),
        funding=[dict(source) for source in earlier.funding],
        update_of=earlier.title,
    )
    if rng.random() < 0.2:
        return update
    before = fields["status"]
    if before == RecordStatus.IDEA:
        if rng.random() < 0.45:
            fields["kind"] = RecordKind.PROJECT
            fields["status"] = rng.choice((RecordStatus.PLANNED, RecordStatus.IN_PROGRESS))
            start = date(rng.randint(2018, 2020), rng.randint(1, 12), 1)
            fields["planned_start"] = start
            fields["planned_end"] = _month(start.year, start.month, rng.randint(12, 36))
            if fields["status"] == RecordStatus.IN_PROGRESS:
                fields["actual_start"] = _month(start.year, start.month, rng.randint(0, 3))
    else:
        options, weights = NEXT_STATUS[before]
        fields["status"] = rng.choices(options, weights=weights)[0]
        if fields["status"] in (RecordStatus.IN_PROGRESS, RecordStatus.COMPLETED) and not fields.get(
            "actual_start"
        ):
            fields["actual_start"] = date(rng.randint(2017, 2019), rng.randint(1, 12), 1)
        if fields["status"] == RecordStatus.COMPLETED and not fields.get("actual_end"):
            actual = fields["actual_start"]
            fields["actual_end"] = max(
                actual, min(_month(actual.year, actual.month, rng.randint(6, 30)), date(2021, 1, 1))
            )
    if fields.get("budget") is not None and rng.random() < 0.4:
        fields["budget"] = _money(float(fields["budget"]) * rng.uniform(0.9, 1.4))
        update.funding = _funding(rng, earlier.owner, fields["budget"], new_in_2021=False)
    if fields["status"] == before:
        change = f"lo stato resta «{STATUS_IT[before]}», con dati aggiornati"
    else:
        change = f"lo stato passa da «{STATUS_IT[before]}» a «{STATUS_IT[fields['status']]}»"
    fields["description"] = (
        f"{DEMO_NOTE} Aggiornamento a febbraio 2021 di una scheda inventata dell'indagine 2016/2017: {change}. "
        f"{AMBITO_TEXT[fields['reference_ambito']]}"
    )
    return update


def _new_record(rng: random.Random, owner: str, ambito: str, title: str) -> RecordSpec:
    kind = RecordKind.PROJECT if rng.random() < 0.6 else RecordKind.IDEA
    fields: dict = {"kind": kind, "title": title, "reference_ambito": ambito}
    fields["description"] = _description(kind, ambito) + " Scheda nuova nell'aggiornamento 2021."
    fields.update(_audiences(rng, ambito))
    budget = None
    if kind == RecordKind.PROJECT:
        fields["status"] = rng.choice((RecordStatus.PLANNED, RecordStatus.PLANNED, RecordStatus.IN_PROGRESS))
        start = date(rng.randint(2019, 2021), rng.randint(1, 12), 1)
        if fields["status"] == RecordStatus.IN_PROGRESS:
            start = min(start, date(2020, 12, 1))
            fields["actual_start"] = start
        fields["planned_start"] = start
        fields["planned_end"] = _month(start.year, start.month, rng.randint(12, 40))
        budget = _money(math.exp(rng.uniform(math.log(50_000), math.log(6_000_000))))
        if ambito in (MOB, ENV) and rng.random() < 0.4:
            fields.update(_location(rng))
    else:
        fields["status"] = RecordStatus.IDEA
        if rng.random() < 0.5:
            budget = _money(math.exp(rng.uniform(math.log(50_000), math.log(3_000_000))))
    fields["budget"] = budget
    impacts = rng.sample(RELATED[ambito], 1) if rng.random() < 0.5 else []
    return RecordSpec(
        owner=owner,
        title=title,
        fields=fields,
        impact_ambiti=impacts,
        partners=_partners(rng, owner, ambito),
        funding=_funding(rng, owner, budget, new_in_2021=True),
    )


def build_specs() -> tuple[list[RecordSpec], list[RecordSpec]]:
    """The records of both rounds, always the same ones (fixed seed)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible on purpose

    # Round 1: first what each organisation reported (owner, ambito, title), then the kinds and the impacts on ICT
    # that give the published figures, then the details of each record.
    taken: set[str] = set()
    counts = {HOST: HOST_RECORDS, **INTERVIEWED_2021, **OTHER_COMPANIES}
    plan = [
        (owner, ambito, title)
        for owner, count in counts.items()
        for ambito, title in _titles(rng, TOPICS[owner], count, taken)
    ]
    kinds = _first_round_kinds(rng, plan)
    on_ict = _ict_impact_projects(rng, plan, kinds)
    first = [
        _first_round_record(rng, owner, kind, ambito, title, impact_on_ict=i in on_ict)
        for i, ((owner, ambito, title), kind) in enumerate(zip(plan, kinds, strict=True))
    ]

    candidates = [spec for spec in first if spec.owner in INTERVIEWED_2021]
    dropped = set(rng.sample(range(len(candidates)), len(candidates) - UPDATED_2021))
    second = [_update_record(rng, spec) for i, spec in enumerate(candidates) if i not in dropped]
    taken_2021 = {spec.title for spec in second}
    for owner, topics in NEW_TOPICS_2021.items():
        for ambito, title in _titles(rng, topics, len(topics), taken_2021):
            second.append(_new_record(rng, owner, ambito, title))
    return first, second


# --- Loading (idempotent) -------------------------------------------------------------------------------


def _organisations() -> dict[str, Organisation]:
    host = Organisation.objects.filter(is_host_entity=True).first()
    if host is None:
        raise RuntimeError("The survey demo needs the host entity: load the stakeholders demo first.")
    names = set(TOPICS) - {HOST} | {PIN, CISPEL}
    by_name = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    missing = sorted(names - set(by_name))
    if missing:
        raise RuntimeError(f"The survey demo needs these organisations: {', '.join(missing)}.")
    by_name[HOST] = host
    return by_name


def _ensure_round(data: dict, conducted_by: list[Organisation], previous: SurveyRound | None):
    survey_round = SurveyRound.objects.filter(is_demo=True, title=data["title"]).first()
    if survey_round is not None:
        return survey_round, False
    survey_round = round_create(
        actor=None,
        conducted_by=conducted_by,
        is_demo=True,
        title=data["title"],
        year=data["year"],
        description=data["description"],
        previous_round=previous,
    )
    return survey_round, True


def _publish(survey_round: SurveyRound) -> None:
    for status in (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        survey_round = round_set_status(actor=None, survey_round=survey_round, status=status)


def _ensure_records(
    survey_round: SurveyRound,
    specs: list[RecordSpec],
    organisations: dict[str, Organisation],
    earlier: dict[str, SurveyRecord] | None = None,
) -> int:
    existing = set(survey_round.records.values_list("title", flat=True))
    created = 0
    for spec in specs:
        if spec.title in existing:
            continue
        fields = dict(spec.fields)
        if spec.update_of:
            update_of = (earlier or {}).get(spec.update_of)
            if update_of is None:
                continue  # the earlier record was removed by hand: do not invent a new chain
            fields["update_of"] = update_of
        record_save(
            actor=None,
            survey_round=survey_round,
            owner=organisations[spec.owner],
            impact_ambiti=spec.impact_ambiti,
            partners=[
                {"organisation": organisations[name], "name": "", "role": role}
                for name, role in spec.partners
            ],
            funding=spec.funding,
            is_validated=True,
            is_demo=True,
            **fields,
        )
        created += 1
    return created


def load() -> int:
    organisations = _organisations()
    conducted_by = [organisations[PIN], organisations[CISPEL]]
    first_specs, second_specs = build_specs()
    changes = 0

    first, created = _ensure_round(ROUNDS[0], conducted_by, previous=None)
    changes += created + _ensure_records(first, first_specs, organisations)
    if created:
        _publish(first)

    second, created = _ensure_round(ROUNDS[1], conducted_by, previous=first)
    earlier = {r.title: r for r in SurveyRecord.objects.filter(round=first).only("id", "title", "round_id")}
    changes += created + _ensure_records(second, second_specs, organisations, earlier)
    if created:
        _publish(second)
    return changes
