"""Word lists to build plausible, fictional names and descriptions of ESS structures.

Nouns carry their grammatical gender ("m" or "f") so that adjectives agree
(« Vélo Solidaire Malouin », « Épicerie Solidaire Malouine »).
"""

import random
from dataclasses import dataclass

from essor.core.formats import with_article


@dataclass(frozen=True)
class SectorTheme:
    nouns: tuple[tuple[str, str], ...]
    naf_codes: tuple[str, ...]
    activity: str
    missions: tuple[str, ...]


THEMES: dict[str, SectorTheme] = {
    "culture": SectorTheme(
        (
            ("Théâtre", "m"),
            ("Compagnie", "f"),
            ("Chorale", "f"),
            ("Ciné-club", "m"),
            ("Maison des arts", "f"),
            ("Harmonie", "f"),
            ("Collectif d'artistes", "m"),
        ),
        ("90.01Z", "90.02Z", "94.99Z"),
        "Spectacle vivant et action culturelle",
        (
            "crée des spectacles et mène des ateliers de pratique artistique",
            "anime une programmation culturelle de proximité",
            "fait découvrir le patrimoine carnavalesque et maritime du territoire",
        ),
    ),
    "sport": SectorTheme(
        (
            ("Club nautique", "m"),
            ("Cercle d'aviron", "m"),
            ("Judo club", "m"),
            ("Char à voile club", "m"),
            ("Union sportive", "f"),
            ("Foulée", "f"),
        ),
        ("93.12Z", "93.11Z", "93.19Z"),
        "Activités de clubs de sports",
        (
            "propose la pratique sportive à tous les âges, en loisir comme en compétition",
            "accueille des publics éloignés de la pratique sportive",
            "organise des stages et des rencontres sur le littoral",
        ),
    ),
    "batiment": SectorTheme(
        (
            ("Atelier", "m"),
            ("Chantier", "m"),
            ("Éco-construction", "f"),
            ("Ressourcerie du bâtiment", "f"),
        ),
        ("43.39Z", "43.32A", "41.20A"),
        "Travaux de construction et de rénovation",
        (
            "rénove des logements avec des matériaux biosourcés",
            "réemploie les matériaux de chantier du territoire",
            "accompagne l'auto-réhabilitation accompagnée des logements",
        ),
    ),
    "services-a-la-personne": SectorTheme(
        (
            ("Aide à domicile", "f"),
            ("Service d'entraide", "m"),
            ("Relais familles", "m"),
            ("Accueil de jour", "m"),
        ),
        ("88.10A", "88.91A", "88.99B"),
        "Aide à domicile et services aux familles",
        (
            "intervient au domicile des personnes âgées et des familles",
            "propose la garde d'enfants à horaires atypiques",
            "accompagne les aidants familiaux",
        ),
    ),
    "mobilite": SectorTheme(
        (
            ("Vélo", "m"),
            ("Garage", "m"),
            ("Auto-école", "f"),
            ("Atelier vélo", "m"),
            ("Transport", "m"),
        ),
        ("45.20A", "85.53Z", "49.39B"),
        "Mobilité solidaire",
        (
            "répare et loue des vélos à prix solidaires",
            "aide les demandeurs d'emploi à passer le permis de conduire",
            "organise le transport à la demande des personnes isolées",
        ),
    ),
    "tourisme": SectorTheme(
        (
            ("Auberge", "f"),
            ("Gîte", "m"),
            ("Maison du tourisme", "f"),
            ("Village vacances", "m"),
            ("Balade", "f"),
        ),
        ("55.20Z", "55.10Z", "79.90Z"),
        "Tourisme social et solidaire",
        (
            "accueille des groupes et des familles pour des séjours à la mer",
            "fait découvrir les dunes, les forts et les wateringues",
            "propose des vacances accessibles aux familles modestes",
        ),
    ),
    "alimentation-circuits-courts": SectorTheme(
        (
            ("Épicerie", "f"),
            ("Jardin", "m"),
            ("Panier", "m"),
            ("Cuisine", "f"),
            ("Ferme", "f"),
            ("Halle", "f"),
        ),
        ("47.11B", "01.13Z", "56.10A"),
        "Alimentation et circuits courts",
        (
            "distribue des paniers de légumes des maraîchers de Flandre",
            "tient une épicerie où chacun paie selon ses revenus",
            "cuisine des produits locaux pour les cantines du territoire",
        ),
    ),
    "environnement": SectorTheme(
        (
            ("Ressourcerie", "f"),
            ("Recyclerie", "f"),
            ("Jardin partagé", "m"),
            ("Maison de la nature", "f"),
            ("Repair café", "m"),
        ),
        ("38.32Z", "94.99Z", "47.79Z"),
        "Réemploi et protection de l'environnement",
        (
            "collecte, répare et revend des objets du quotidien",
            "sensibilise les habitants à la protection des dunes",
            "anime des ateliers de réparation ouverts à tous",
        ),
    ),
    "insertion": SectorTheme(
        (("Chantier d'insertion", "m"), ("Atelier", "m"), ("Tremplin", "m"), ("Passerelle", "f")),
        ("88.99B", "81.30Z", "78.20Z"),
        "Insertion par l'activité économique",
        (
            "accompagne des personnes éloignées de l'emploi sur des chantiers d'espaces verts",
            "propose des missions de travail aux demandeurs d'emploi du territoire",
            "forme aux métiers de la logistique portuaire",
        ),
    ),
    "action-sociale": SectorTheme(
        (
            ("Maison de quartier", "f"),
            ("Centre social", "m"),
            ("Entraide", "f"),
            ("Point accueil", "m"),
            ("Solidarité", "f"),
        ),
        ("88.99B", "94.99Z", "87.90B"),
        "Action sociale sans hébergement",
        (
            "accueille les habitants du quartier et anime des activités pour tous",
            "accompagne les familles dans leurs démarches",
            "lutte contre l'isolement des personnes âgées",
        ),
    ),
    "education": SectorTheme(
        (
            ("École", "f"),
            ("Atelier du savoir", "m"),
            ("Ludothèque", "f"),
            ("Accueil de loisirs", "m"),
        ),
        ("85.59A", "85.59B", "93.29Z"),
        "Éducation populaire et formation",
        (
            "propose du soutien scolaire et des ateliers d'éducation populaire",
            "forme les adultes aux savoirs de base",
            "accueille les enfants pendant les vacances scolaires",
        ),
    ),
    "sante": SectorTheme(
        (
            ("Maison de santé", "f"),
            ("Centre de santé", "m"),
            ("Espace prévention", "m"),
            ("Pharmacie mutualiste", "f"),
        ),
        ("86.21Z", "86.90F", "86.22C"),
        "Santé et prévention",
        (
            "organise des actions de prévention et de dépistage",
            "propose des consultations sans dépassement d'honoraires",
            "accompagne les personnes vivant avec une maladie chronique",
        ),
    ),
    "numerique": SectorTheme(
        (("Fabrique numérique", "f"), ("Atelier numérique", "m"), ("Fablab", "m"), ("Labo", "m")),
        ("62.01Z", "85.59A", "95.11Z"),
        "Numérique responsable et inclusion numérique",
        (
            "accompagne les habitants dans leurs démarches en ligne",
            "reconditionne des ordinateurs pour les familles",
            "ouvre un atelier de fabrication numérique à tous",
        ),
    ),
}

GENERIC_THEME = SectorTheme(
    (("Atelier", "m"), ("Maison", "f"), ("Collectif", "m"), ("Réseau", "m")),
    ("94.99Z",),
    "Autres organisations fonctionnant par adhésion volontaire",
    ("agit pour le développement solidaire du territoire",),
)

COMPLEMENTS = (
    "de la Dune", "des Dunes", "du Port", "du Littoral", "de la Côte d'Opale", "du Dunkerquois",
    "de Flandre", "des Moëres", "du Canal", "de l'Aa", "du Beffroi", "des Wateringues",
    "de la Digue", "du Phare", "du Bassin", "des Salines", "de la Citadelle", "du Grand Large",
    "des Trois Ponts", "de la Plage", "du Môle", "de l'Estran",
)  # fmt: skip

ADJECTIVES = (
    ("Solidaire", "Solidaire"), ("Partagé", "Partagée"), ("Citoyen", "Citoyenne"),
    ("Fraternel", "Fraternelle"), ("Durable", "Durable"),
)  # fmt: skip

DEMONYMS = (
    ("Dunkerquois", "Dunkerquoise"), ("Malouin", "Malouine"), ("Flamand", "Flamande"),
    ("Gravelinois", "Gravelinoise"), ("Synthois", "Synthoise"), ("Bourbourgeois", "Bourbourgeoise"),
    ("du Littoral", "du Littoral"),
)  # fmt: skip

EVOCATIONS = (
    "Terre d'Opale", "Vent du Large", "Mer du Nord", "Horizon", "Grand Nord", "Marée Haute",
    "Phare et Balise", "Pavois", "Rose des Vents", "Sable et Sel", "Goélands", "Vent d'Ouest",
)  # fmt: skip

STREETS = (
    "rue de la Paix", "rue du Port", "avenue de la Mer", "rue des Écoles", "place de la République",
    "rue de la Gare", "quai de la Citadelle", "rue du Moulin", "rue des Dunes", "rue de l'Église",
    "boulevard de l'Europe", "rue des Pêcheurs", "rue du Canal", "chemin des Wateringues",
    "rue de la Digue", "avenue des Bains", "rue du Marché", "rue des Jardins", "allée des Tilleuls",
    "rue du Phare",
)  # fmt: skip


def article(noun: str, gender: str) -> str:
    if noun[0] in "AEÉÈIOUYH":
        return f"L'{noun}"
    return f"Le {noun}" if gender == "m" else f"La {noun}"


def structure_name(rng: random.Random, theme: SectorTheme, prefix: str) -> str:
    """A fictional name; `prefix` is the legal form shown first (« SCOP », « Fondation »…) or ""."""
    if prefix == "Mutuelle":
        adjective = rng.choice(ADJECTIVES)[1]
        return f"Mutuelle {adjective} {rng.choice(COMPLEMENTS)}"
    if prefix == "Fondation" and rng.random() < 0.5:
        return f"Fondation {rng.choice(EVOCATIONS)}"
    noun, gender = rng.choice(theme.nouns)
    # « Association Le Jardin… » reads badly: the article form only comes without a prefix.
    form = rng.choice((0, 1, 3) if prefix else (0, 1, 2, 3))
    if form == 0:
        adjective = rng.choice(ADJECTIVES)[gender == "f"]
        demonym = rng.choice(DEMONYMS)[gender == "f"]
        core = f"{noun} {adjective} {demonym}"
    elif form == 1:
        core = f"{noun} {rng.choice(COMPLEMENTS)}"
    elif form == 2:
        core = f"{article(noun, gender)} {rng.choice(COMPLEMENTS)}"
    else:
        core = f"{noun} {rng.choice(EVOCATIONS)}"
    return f"{prefix} {core}" if prefix else core


def description(rng: random.Random, theme: SectorTheme, name: str, commune_name: str) -> str:
    mission = rng.choice(theme.missions)
    return (
        f"{name} {mission}. Implantée {with_article(commune_name, 'à')}, la structure travaille avec les "
        "habitants et les partenaires du territoire. Données fictives de démonstration."
    )
