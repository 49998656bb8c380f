"""Invented Italian words for generated content: names, places, titles and sentences.

Sentences hold no Markdown syntax and no HTML-special characters, so each paragraph renders to ``<p>…</p>``
exactly as ``core.markup.render_markdown`` would render it (the tests check this on every generated text).
"""

import random

from cittasmart.core.ambiti import Ambito

FIRST_NAMES = [
    "Alessandro", "Alessia", "Andrea", "Angela", "Anna", "Antonio", "Arianna", "Beatrice", "Bruno", "Camilla",
    "Carla", "Carlo", "Caterina", "Chiara", "Claudia", "Cristina", "Daniele", "Davide", "Elena", "Elisa",
    "Emanuele", "Emma", "Enrico", "Federica", "Federico", "Filippo", "Francesca", "Francesco", "Gabriele",
    "Giacomo", "Gianluca", "Giorgia", "Giorgio", "Giovanna", "Giovanni", "Giulia", "Giuseppe", "Greta",
    "Ilaria", "Irene", "Laura", "Leonardo", "Lorenzo", "Luca", "Lucia", "Marco", "Margherita", "Maria",
    "Marta", "Martina", "Massimo", "Matteo", "Mattia", "Michele", "Monica", "Nicola", "Noemi", "Paola",
    "Paolo", "Pietro", "Raffaele", "Riccardo", "Roberta", "Roberto", "Sara", "Serena", "Silvia", "Simone",
    "Sofia", "Stefania", "Stefano", "Tommaso", "Valentina", "Valerio", "Veronica", "Vittoria", "Wei", "Amina",
    "Ionut", "Fatima",
]  # fmt: skip

SURNAMES = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
    "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo",
    "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso",
    "Valentini", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina",
    "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino",
    "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri",
    "Bernardi", "Martino", "Fiore", "Bellini", "Innocenti", "Bartolini", "Nesti", "Mazzoni", "Bettazzi",
    "Chen", "Hu", "Lin",
]  # fmt: skip

# (municipality, province, latitude, longitude): towns of central Italy, for meetings and places.
MUNICIPALITIES = [
    ("Prato", "Prato", 43.8777, 11.1022),
    ("Firenze", "Firenze", 43.7696, 11.2558),
    ("Pistoia", "Pistoia", 43.9333, 10.9167),
    ("Lucca", "Lucca", 43.8429, 10.5027),
    ("Pisa", "Pisa", 43.7228, 10.4017),
    ("Livorno", "Livorno", 43.5485, 10.3106),
    ("Arezzo", "Arezzo", 43.4633, 11.8796),
    ("Siena", "Siena", 43.3188, 11.3308),
    ("Grosseto", "Grosseto", 42.7635, 11.1124),
    ("Massa", "Massa-Carrara", 44.0354, 10.1398),
    ("Empoli", "Firenze", 43.7187, 10.9462),
    ("Sesto Fiorentino", "Firenze", 43.8318, 11.1992),
    ("Scandicci", "Firenze", 43.7544, 11.1894),
    ("Campi Bisenzio", "Firenze", 43.8244, 11.1325),
    ("Montemurlo", "Prato", 43.9266, 11.0389),
    ("Vaiano", "Prato", 43.9680, 11.1237),
    ("Poggio a Caiano", "Prato", 43.8132, 11.0538),
    ("Carmignano", "Prato", 43.8101, 11.0146),
    ("Montale", "Pistoia", 43.9262, 11.0200),
    ("Quarrata", "Pistoia", 43.8474, 10.9834),
    ("Viareggio", "Lucca", 43.8664, 10.2510),
    ("Cascina", "Pisa", 43.6766, 10.5547),
    ("Piombino", "Livorno", 42.9253, 10.5262),
    ("Montevarchi", "Arezzo", 43.5232, 11.5683),
    ("Poggibonsi", "Siena", 43.4667, 11.1500),
    ("Carrara", "Massa-Carrara", 44.0793, 10.0977),
]

VENUES = [
    "Sala consiliare", "Biblioteca comunale", "Centro civico", "Auditorium", "Sala polivalente",
    "Museo civico", "Camera di commercio", "Polo universitario", "Casa del quartiere", "Officina giovani",
]  # fmt: skip

STREETS = [
    "via Roma", "piazza del Comune", "via Garibaldi", "viale della Repubblica", "via Mazzini", "piazza Duomo",
    "via Cavour", "via Dante Alighieri", "via Matteotti", "piazza Mercatale", "via Pistoiese", "viale Galilei",
]  # fmt: skip

PLACES = [
    "nel centro storico", "vicino alla stazione", "nel quartiere San Paolo", "nelle frazioni", "davanti alle scuole",
    "lungo il fiume", "nella zona industriale", "nei giardini pubblici", "in via Roma", "nel quartiere nord",
    "nel quartiere est", "vicino all'ospedale", "nei parcheggi di scambio", "in piazza del Comune",
    "nelle periferie", "intorno al mercato coperto", "nei pressi dell'università", "in tutta la città",
]  # fmt: skip

# What ideas, projects and actions are about, by domain.
SUBJECTS: dict[str, list[str]] = {
    Ambito.GOVERNANCE: [
        "un'unica area personale per i servizi comunali",
        "la prenotazione online degli sportelli",
        "il bilancio partecipativo digitale",
        "la pubblicazione delle delibere in formato aperto",
        "i pagamenti pagoPA per tutti i servizi",
        "le notifiche sull'app IO",
        "un assistente per le pratiche edilizie",
        "la firma digitale delle istanze",
        "gli sportelli di facilitazione digitale",
    ],
    Ambito.ECONOMY: [
        "una vetrina digitale per le botteghe",
        "il coworking nei locali comunali",
        "lo sportello unico per le imprese",
        "il marketplace del distretto tessile",
        "gli incentivi per le startup innovative",
        "i mercati a chilometro zero",
        "la tracciabilità dei tessuti riciclati",
        "i laboratori di artigianato digitale",
    ],
    Ambito.MOBILITY: [
        "una pista ciclabile protetta",
        "più rastrelliere per le biciclette",
        "la zona 30",
        "i bus elettrici",
        "i parcheggi di scambio",
        "i semafori intelligenti",
        "il bike sharing a pedalata assistita",
        "le paline elettroniche alle fermate",
        "la sosta a pagamento con lo smartphone",
        "i percorsi casa-scuola sicuri",
    ],
    Ambito.ENVIRONMENT: [
        "i sensori per la qualità dell'aria",
        "la raccolta differenziata puntuale",
        "i pannelli solari sui tetti pubblici",
        "le comunità energetiche",
        "l'illuminazione pubblica a LED",
        "il monitoraggio delle perdite idriche",
        "gli alberi in città",
        "il compostaggio di quartiere",
        "le isole ecologiche con tessera",
    ],
    Ambito.PEOPLE: [
        "i corsi di competenze digitali per anziani",
        "le aule connesse nelle scuole",
        "la biblioteca digitale",
        "i laboratori di programmazione per ragazzi",
        "il servizio civile digitale",
        "la mediazione linguistica online",
        "i tablet in prestito",
        "i punti di accesso assistito a internet",
    ],
    Ambito.LIVING: [
        "la telemedicina per le persone fragili",
        "il fascicolo sanitario più semplice",
        "la videosorveglianza dei parchi",
        "le case di quartiere",
        "la cultura in streaming",
        "le mappe dell'accessibilità",
        "l'allerta meteo via SMS",
        "gli alloggi sociali con domotica",
        "i percorsi museali accessibili",
    ],
    Ambito.ICT: [
        "il Wi-Fi pubblico gratuito",
        "la fibra ottica nelle frazioni",
        "la copertura 5G",
        "il portale dei dati aperti",
        "la piattaforma dei sensori urbani",
        "il data center regionale",
        "le API dei servizi comunali",
        "la sala di controllo dei dati urbani",
        "il catasto delle reti",
    ],
}

OPENINGS = [
    "Proposta per", "Migliorare", "Estendere", "Potenziare", "Sperimentare", "Portare", "Rendere più semplice",
    "Più attenzione per", "Un piano per", "Completare",
]  # fmt: skip

SENTENCES = [
    "Oggi il servizio funziona solo in parte e molte persone non lo conoscono.",
    "Chi abita in periferia ne avrebbe bisogno più di altri.",
    "Altre città toscane lo hanno già fatto con buoni risultati.",
    "Il costo sarebbe contenuto se si usassero le infrastrutture che esistono già.",
    "Si potrebbe partire con una sperimentazione di sei mesi e poi valutare.",
    "Servono indicazioni chiare e un punto di contatto per chi ha dubbi.",
    "Le scuole e le associazioni del quartiere sono pronte a collaborare.",
    "I dati raccolti dovrebbero essere pubblicati come dati aperti.",
    "Bisogna pensare anche a chi non usa lo smartphone.",
    "La proposta nasce da un incontro pubblico nel quartiere.",
    "Sarebbe utile coinvolgere le aziende partecipate del Comune.",
    "Il progetto potrebbe essere finanziato con i fondi europei.",
    "Molti commercianti hanno già dato la loro disponibilità.",
    "La manutenzione deve essere prevista fin dall'inizio.",
    "Chiediamo di conoscere i tempi e i costi previsti.",
    "Ne trarrebbero vantaggio soprattutto famiglie e studenti.",
    "Va garantita l'accessibilità alle persone con disabilità.",
    "Una mappa online aiuterebbe a capire dove intervenire per primi.",
    "Gli uffici comunali potrebbero risparmiare tempo e carta.",
    "Un tavolo di lavoro con i cittadini renderebbe il progetto più solido.",
    "Il servizio dovrebbe funzionare anche la sera e nei fine settimana.",
    "È importante misurare i risultati con indicatori semplici.",
    "La sicurezza dei dati personali deve restare una priorità.",
    "Si potrebbero usare i locali inutilizzati del Comune.",
]

COMMENTS = [
    "Sono d'accordo, è una proposta utile.",
    "Ottima idea, la sostengo volentieri.",
    "Bisognerebbe pensare anche ai costi di manutenzione.",
    "Nel mio quartiere se ne parla da anni.",
    "Attenzione a non dimenticare le persone anziane.",
    "Si potrebbe iniziare con una sperimentazione.",
    "Esiste già qualcosa di simile a Firenze, funziona bene.",
    "Io aggiungerei anche le frazioni.",
    "Non sono convinto: ci sono priorità più urgenti.",
    "Sarebbe bello avere i dati pubblicati online.",
    "Le scuole potrebbero dare una mano.",
    "Quali sarebbero i tempi di realizzazione?",
    "Concordo, ma servono più informazioni.",
    "Propongo di coinvolgere anche le associazioni di categoria.",
    "Lo userei tutti i giorni.",
    "Finalmente qualcuno ne parla.",
    "Speriamo che venga presa in considerazione.",
    "Anche il mio condominio sarebbe interessato.",
]

REPLIES = [
    "Grazie, è un buon suggerimento.",
    "Vero, ne terrò conto.",
    "Sono d'accordo con te.",
    "Non la penso così, ma capisco il punto.",
    "Hai ragione, va aggiunto alla proposta.",
    "Lo chiederò all'incontro pubblico.",
]

ANSWERS = {
    "accepted": "La proposta è accolta e confluisce nelle azioni del piano indicate.",
    "partial": "La proposta è accolta in parte: alcune richieste sono già nelle azioni del piano indicate.",
    "planned": "Quanto proposto è già previsto dalle azioni del piano indicate.",
    "rejected": "La proposta non è accolta: non rientra nelle competenze del piano o nei fondi disponibili.",
}

PROCESS_TOPICS = [
    "Agenda digitale", "Quartieri connessi", "Mobilità sostenibile", "Transizione energetica", "Scuole digitali",
    "Servizi online", "Dati aperti", "Città accessibile", "Verde urbano", "Centro storico intelligente",
    "Bilancio partecipativo", "Competenze digitali", "Sicurezza urbana", "Distretto tessile 4.0", "Salute digitale",
]  # fmt: skip

THEMES = [
    ("Reti e connettività", "Banda ultralarga, Wi-Fi pubblico e 5G."),
    ("Servizi digitali ai cittadini", "Sportelli online, identità digitale e pagamenti."),
    ("Dati e trasparenza", "Dati aperti, cruscotti e riuso delle informazioni pubbliche."),
    ("Mobilità e trasporti", "Trasporto pubblico, ciclabilità, sosta e logistica."),
    ("Energia e ambiente", "Efficienza energetica, rifiuti, acqua e qualità dell'aria."),
    ("Inclusione digitale", "Competenze, accesso e accompagnamento di chi resta indietro."),
    ("Imprese e lavoro", "Innovazione delle imprese, commercio e distretti produttivi."),
    ("Welfare e salute", "Servizi sociali, sanità territoriale e qualità della vita."),
    ("Cultura e turismo", "Patrimonio, eventi e accoglienza con strumenti digitali."),
    ("Scuola e formazione", "Scuole connesse, didattica digitale e formazione continua."),
]

ORGANISATION_KINDS = [
    ("public_body", "Comune di"),
    ("public_body", "Unione dei Comuni di"),
    ("participated_company", "Servizi Pubblici"),
    ("participated_company", "Multiservizi"),
    ("university_research", "Laboratorio di ricerca"),
    ("enterprise", "Consorzio imprese"),
    ("enterprise", "Associazione commercianti"),
    ("third_sector", "Cooperativa sociale"),
    ("third_sector", "Associazione di volontariato"),
    ("citizens_group", "Comitato di quartiere"),
]

INDICATOR_NAMES = [
    ("Utenti dei servizi online", "utenti"),
    ("Pratiche presentate online", "%"),
    ("Chilometri di piste ciclabili", "km"),
    ("Passeggeri del trasporto pubblico", "migliaia"),
    ("Raccolta differenziata", "%"),
    ("Consumo di energia degli edifici pubblici", "MWh"),
    ("Punti Wi-Fi pubblici", "punti"),
    ("Unità immobiliari in fibra ottica", "%"),
    ("Dataset aperti pubblicati", "dataset"),
    ("Persone formate alle competenze digitali", "persone"),
    ("Giorni di superamento del PM10", "giorni"),
    ("Perdite della rete idrica", "%"),
    ("Punti luce a LED", "%"),
    ("Imprese che usano lo sportello unico online", "imprese"),
]


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def subject(rng: random.Random, ambito: str) -> str:
    return rng.choice(SUBJECTS[ambito])


def idea_title(rng: random.Random, ambito: str) -> str:
    text = f"{rng.choice(OPENINGS)} {subject(rng, ambito)} {rng.choice(PLACES)}"
    return text[:150]


def project_title(rng: random.Random, ambito: str) -> str:
    what = subject(rng, ambito)
    return f"{what[0].upper()}{what[1:]} {rng.choice(PLACES)}"


def paragraphs(rng: random.Random, low: int = 1, high: int = 3) -> list[str]:
    return [" ".join(rng.sample(SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(low, high))]


def markdown_pair(parts: list[str]) -> tuple[str, str]:
    """The Markdown text of plain paragraphs and its HTML, as ``render_markdown`` gives it."""
    return "\n\n".join(parts), "\n".join(f"<p>{part}</p>" for part in parts)
