"""The Prato demo instance: public facts from the plan's documents, plus demo accounts marked as such."""

from cittasmart.core.roles import Role

SITE = {
    "instance_name": "Prato Smart City",
    "tagline": "Il piano Smart City del Comune di Prato, in pubblico",
    "entity_name": "Comune di Prato",
    "entity_url": "https://www.comune.prato.it",
    "email": "ufficio-piano@demo.cittasmart.invalid",
    "data_controller": "Comune di Prato",
}

HOST_ENTITY = "Comune di Prato"
PUBLIC_BODY = "public_body"
PARTICIPATED = "participated_company"

# (name, category, is_public_body, description)
ORGANISATIONS = [
    (
        "Comune di Prato",
        PUBLIC_BODY,
        True,
        "L'amministrazione comunale che promuove e governa il piano Smart City.",
    ),
    (
        "PIN s.c.r.l. – Polo Universitario Città di Prato",
        "university_research",
        False,
        "Ha condotto dal 2016, con Confservizi CISPEL Toscana, l'indagine sullo stato di sviluppo della Smart City.",
    ),
    (
        "Confservizi CISPEL Toscana",
        "enterprise",
        False,
        "Associazione delle imprese di servizio pubblico della Toscana; ha condotto l'indagine con PIN e ha firmato "
        "il protocollo dell'8 maggio 2019 per la condivisione dei dati della Situation Room.",
    ),
    ("ASM Servizi srl", PARTICIPATED, False, ""),
    ("ASM Ambiente Servizi Mobilità S.p.A.", PARTICIPATED, False, ""),
    ("Alia S.p.A.", PARTICIPATED, False, ""),
    ("CAP Società Cooperativa", PARTICIPATED, False, ""),
    ("Consiag Servizi Comuni S.r.l.", PARTICIPATED, False, ""),
    ("Edilizia Pubblica Pratese S.p.A.", PARTICIPATED, False, ""),
    ("Estra S.p.A.", PARTICIPATED, False, ""),
    ("Estracom S.p.A.", PARTICIPATED, False, ""),
    ("Estraclima S.r.l.", PARTICIPATED, False, ""),
    ("Publiacqua S.p.A.", PARTICIPATED, False, ""),
    ("Publies Energia Sicura S.r.l.", PARTICIPATED, False, ""),
    ("G.I.D.A. S.p.A.", PARTICIPATED, False, ""),
    ("Interporto della Toscana Centrale S.p.A.", PARTICIPATED, False, ""),
    ("Toscana Energia S.p.A.", PARTICIPATED, False, ""),
    ("Citelum Italia S.p.A.", PARTICIPATED, False, ""),
    (
        "Regione Toscana",
        PUBLIC_BODY,
        True,
        "Ha promosso nel 2018 il tour Toscana Digitale: dieci incontri aperti, uno per provincia, in gruppi di lavoro.",
    ),
    ("ANCI Toscana", PUBLIC_BODY, False, "Tra i promotori del tour Toscana Digitale 2018."),
    ("Fondazione Sistema Toscana", "third_sector", False, "Tra i promotori del tour Toscana Digitale 2018."),
]

DEMO_DOMAIN = "demo.cittasmart.invalid"

# (e-mail local part, display name, role or None, (organisation, membership role) or None, what the account shows)
ACCOUNTS = [
    ("amministratore", "Amministratrice (demo)", Role.ADMINISTRATOR, None, "administrator"),
    (
        "ufficio.piano",
        "Ufficio di Piano (demo)",
        Role.PLAN_OFFICE,
        ("Comune di Prato", "member"),
        "plan office",
    ),
    ("moderatore", "Moderatore (demo)", Role.MODERATOR, None, "moderator"),
    ("facilitatrice", "Facilitatrice (demo)", Role.FACILITATOR, None, "facilitator"),
    (
        "referente.estra",
        "Referente Estra (demo)",
        None,
        ("Estra S.p.A.", "representative"),
        "stakeholder representative / survey respondent",
    ),
    (
        "ricercatrice.pin",
        "Ricercatrice PIN (demo)",
        None,
        ("PIN s.c.r.l. – Polo Universitario Città di Prato", "member"),
        "stakeholder member",
    ),
    ("cittadino", "Cittadino (demo)", None, None, "citizen"),
]
