"""Synthetic source tables with the schema, the mapping and the shape of the real ones, at any scale.

:func:`generate` writes a CSVW table group: a copy of the toolkit's ``csv-metadata.json`` and
``schemas/``, and every CSV the metadata lists, filled with made-up but well-formed content, so that
``kg.build(folder / "csv-metadata.json")`` maps it with the real mapping and the result validates
against the real shapes with no violation. The size is set by the number of entities.

**Shaped like the data.** Each table gets as many rows per entity as the shipped tables have
(:func:`shipped_shape`, read from ``kg/sources`` when the generator runs, so it follows the curated
data as it grows): relations, memberships, concepts, classifications, attributes, observations...
The benchmark report prints both shapes (:func:`table_shape`) side by side. Only the smallest
scale departs from it, for the tables with a floor (a few documents, schemes and data sets are
needed whatever the size).

The collaboration network is heavy-tailed, as real ones are: actor-to-actor relations grow by
preferential attachment (each new actor links to earlier actors chosen in proportion to their
degree), and the members of committees, events, agreements and collaborations are drawn in
proportion to the number of memberships an actor already has. The bodies stay small (2 to 6
members), as they are in the sources.

Columns are written from the schemas, so a column the curators add later is written empty rather
than breaking the generator. Multi-valued cells (``class``, ``alt_labels``...) hold one value, so
that the RML mapping of the morph-kgc peer (:mod:`bench.rml`) is equivalent.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> summary = generate(folder, entities=2000, seed=1)
>>> (folder / "csv-metadata.json").exists(), summary["entities"] >= 2000
(True, True)
>>> shipped, made = shipped_shape(), table_shape(folder)
>>> all(abs(made[t] / shipped[t] - 1) <= 0.25 for t in shipped if shipped[t])
True
"""

from __future__ import annotations

import csv
import json
import math
import random
import shutil
from collections import defaultdict
from pathlib import Path

from kg._resources import SOURCES_DIR

__all__ = ["ENTITY_TABLES", "QUERY_BINDINGS", "TRIPLES_PER_ENTITY", "entities_for_triples", "generate",
           "shipped_shape", "table_rows", "table_shape"]

TRIPLES_PER_ENTITY = 92.0
"""Measured triples (union, distinct) per generated entity; used to pick the entity count of a scale."""

# Parameter values for the canned queries on generated data: the default values of the query files
# name curated entities, which the generator also creates; these override the ones that need data
# the default graph holds and a generated one does not (the analysis graph holds degree results).
QUERY_BINDINGS: dict[str, dict[str, str]] = {
    "top-brokers": {"metric": "concept/network-metric/degree"},
    "rd-outcomes": {"dataset": "dataset/table2-rd-outcomes"},
}

_LOCATORS = ("Table {n}", "Paragraph {n}", "Section {n}.{m}", "Figure {n}", "Annex {n}", "Footnote {n}")
_COUNTRIES = ("korea", "germany", "united-states", "japan", "belgium", "china", "vietnam", "france", "austria",
              "united-kingdom", "sri-lanka", "azerbaijan")
_FUNCTIONS = ("finance", "technology", "marketing", "training", "export")
_TECHNOLOGIES = ("artificial-intelligence", "semiconductors", "robotics", "batteries", "hydrogen", "biotechnology",
                 "5g", "quantum-computing", "smart-factory", "big-data")
_INDUSTRIES = ("machinery", "automotive", "shipbuilding", "steel", "petrochemicals", "textiles", "electronics",
               "display", "aerospace", "logistics")
_SHARED = {"agreement": ("signatoryOf",), "event": ("participatesIn", "participatesIn", "hosts", "presides"),
           "collab": ("memberOf", "memberOf", "leads"), "committee": ("memberOf", "memberOf", "presides")}
_ROLE_OF = {"signatoryOf": "signatory", "participatesIn": "participant", "hosts": "host", "presides": "chair",
            "memberOf": "member", "leads": "lead"}
_ACTOR_LINKS = ("cooperatesWith", "cooperatesWith", "cooperatesWith", "coordinatesWith", "fundsActor",
                "plansJointlyWith", "coSigns", "supervises", "reportsTo", "managesOnBehalfOf")
_ORGANISATION_ONLY = {"plansJointlyWith", "supervises", "reportsTo", "managesOnBehalfOf"}

# Kinds of generated entity: (share of all entities, minimum count, id prefix, class).
_KINDS: dict[str, tuple[float, int, str, str]] = {
    "company": (0.25, 6, "org/company", "Company"),
    "university": (0.04, 2, "org/university", "University"),
    "institute": (0.04, 2, "org/institute", "ResearchInstitute"),
    "agency": (0.03, 2, "org/agency", "GovernmentAgency"),
    "ministry": (0.004, 2, "org/ministry", "Ministry"),
    "localgov": (0.01, 2, "org/local-government", "LocalGovernment"),
    "committee": (0.01, 2, "org/committee", "Committee"),
    "group": (0.01, 2, "org/group", "BusinessGroup"),
    "association": (0.02, 1, "org/association", "Association"),
    "eubody": (0.004, 1, "org/eu-body", "EUBody"),
    "person": (0.03, 1, "person/person", "Person"),
    "province": (0.005, 3, "place/province", "Province"),
    "city": (0.02, 3, "place/city", "City"),
    "site": (0.02, 2, "place/site", "IndustrialSite"),
    "complex": (0.03, 2, "place/complex", "IndustrialComplex"),
    "zone": (0.005, 2, "place/zone", "ClusterZone"),
    "cluster": (0.02, 1, "place/cluster", "Cluster"),
    "strategy": (0.02, 2, "policy/strategy", "Strategy"),
    "programme": (0.03, 2, "policy/programme", "Programme"),
    "project": (0.05, 2, "policy/project", "Project"),
    "task": (0.03, 2, "policy/task", "StrategicTask"),
    "support": (0.01, 2, "policy/support", "SupportProgramme"),
    "era": (0.005, 3, "policy/era", "PolicyEra"),
    "act": (0.02, 2, "act/act", "Act"),
    "meeting": (0.05, 2, "event/meeting", "Meeting"),
    "conference": (0.03, 2, "event/conference", "Conference"),
    "agreement": (0.05, 2, "agreement/mou", "MemorandumOfUnderstanding"),
    "collab": (0.04, 2, "collab/collaboration", "Collaboration"),
    "mini": (0.03, 2, "collab/mini-cluster", "MiniCluster"),
    "platform": (0.01, 1, "platform/platform", "Platform"),
    "change": (0.006, 1, "change/change", "ChangeEvent"),  # set from the shipped share of change_events
}
_ACTOR_KINDS = ("company", "university", "institute", "agency", "ministry", "localgov", "committee", "group",
                "association", "eubody", "person")
_LABELS = {"company": "Company", "university": "University", "institute": "Research Institute",
           "agency": "Agency", "ministry": "Ministry", "localgov": "Local Government", "committee": "Committee",
           "group": "Business Group", "association": "Association", "eubody": "EU Body", "person": "Person",
           "province": "Province", "city": "City", "site": "Industrial Site", "complex": "Industrial Complex",
           "zone": "Cluster Zone", "cluster": "Industrial Cluster", "strategy": "Strategy", "programme": "Programme",
           "project": "Project", "task": "Strategic Task", "support": "Support Programme", "era": "Policy Era",
           "act": "Act", "meeting": "Meeting", "conference": "Conference", "agreement": "Memorandum",
           "collab": "Collaboration", "mini": "Mini Cluster", "platform": "Platform", "change": "Restructuring"}



def table_rows(folder: str | Path) -> dict[str, int]:
    """Rows of each table of the table group in ``folder`` (by table name, without ``.csv``)."""
    folder = Path(folder)
    metadata = json.loads((folder / "csv-metadata.json").read_text(encoding="utf-8"))
    rows = {}
    for table in metadata["tables"]:
        with open(folder / table["url"], encoding="utf-8", newline="") as handle:
            rows[table["url"].removesuffix(".csv")] = sum(1 for _ in csv.DictReader(handle))
    return rows


ENTITY_TABLES = ("entities", "complexes", "programmes", "mous")
"""The tables whose rows are entities: ``entities``, and those holding an entity with its common
facts in one row."""


def table_shape(folder: str | Path) -> dict[str, float]:
    """Rows per entity (a row of one of :data:`ENTITY_TABLES`) of each table of the table group in ``folder``."""
    rows = table_rows(folder)
    entities = max(1, sum(rows.get(name, 0) for name in ENTITY_TABLES))
    return {name: count / entities for name, count in rows.items()}


def shipped_shape() -> dict[str, float]:
    """Rows per entity of each shipped table (``kg/sources``): the shape the generator follows."""
    return table_shape(SOURCES_DIR)


def entities_for_triples(triples: int) -> int:
    """The number of entities that gives about ``triples`` triples."""
    return max(60, round(triples / TRIPLES_PER_ENTITY))


class _Tables:
    """Rows of every table, written at the end in the column order of the schemas, and the number of
    rows each table should get (its share of the shipped tables' rows per entity)."""

    def __init__(self, rng: random.Random, documents: list[str], shape: dict[str, float], entities: int) -> None:
        self.rows: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.rng = rng
        self.documents = documents
        self.counters: dict[str, int] = defaultdict(int)
        self.shape = shape
        self.entities = entities

    def want(self, table: str, minimum: int = 0) -> int:
        """How many rows ``table`` should have in all."""
        return max(minimum, round(self.shape.get(table, 0.0) * self.entities))

    def left(self, table: str, minimum: int = 0) -> int:
        """How many rows ``table`` still needs."""
        return max(0, self.want(table, minimum) - len(self.rows[table]))

    def next_id(self, name: str) -> int:
        self.counters[name] += 1
        return self.counters[name]

    def source(self, *, quote: bool | None = None) -> dict[str, str]:
        rng = self.rng
        locator = rng.choice(_LOCATORS).format(n=rng.randint(1, 40), m=rng.randint(1, 9))
        with_quote = rng.random() < 0.3 if quote is None else quote
        text = ""
        if with_quote:
            text = rng.choice(('The government will "expand" the programme, by {y}', "Support rose to {v} in {y}",
                               "Agreed on {y}; signed by both parties", "the {v} companies of the complex"))
            text = text.format(y=rng.randint(1990, 2030), v=rng.randint(2, 900))
        return {"source_document": rng.choice(self.documents), "source_locator": locator, "source_quote": text}

    def add(self, table: str, **cells: object) -> None:
        row = {name: "" if value is None else str(value) for name, value in cells.items()}
        if "source_document" not in row:
            row.update(self.source())
        self.rows[table].append(row)


def _preferential(rng: random.Random, pool: list[int], weights_list: list[int], count: int) -> list[int]:
    """``count`` distinct indices drawn from ``weights_list`` (one entry per unit of weight)."""
    chosen: list[int] = []
    seen: set[int] = set()
    attempts = 0
    while len(chosen) < count and attempts < count * 20:
        attempts += 1
        index = rng.choice(weights_list) if weights_list and rng.random() < 0.85 else rng.choice(pool)
        if index not in seen:
            seen.add(index)
            chosen.append(index)
    return chosen


def generate(folder: str | Path, *, entities: int, seed: int = 42) -> dict[str, int]:
    """Write a table group of about ``entities`` entities to ``folder``; return row counts.

    Parameters
    ----------
    folder
        Where to write ``csv-metadata.json``, ``schemas/`` and the CSV files (created if missing).
    entities
        Number of generated entities (organisations, places, policies, events...).
    seed
        Seed of the random generator: the same seed gives the same files.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCES_DIR / "csv-metadata.json", out / "csv-metadata.json")
    if (out / "schemas").exists():
        shutil.rmtree(out / "schemas")
    shutil.copytree(SOURCES_DIR / "schemas", out / "schemas")
    shape = shipped_shape()
    rng = random.Random(seed)

    counts = {kind: max(minimum, round(share * entities)) for kind, (share, minimum, _, _) in _KINDS.items()}
    counts["change"] = max(1, round(shape.get("change_events", 0.0) * entities / 1.25))
    ids: dict[str, list[str]] = {kind: [f"{prefix}-{i:06d}" for i in range(1, counts[kind] + 1)]
                                 for kind, (_, _, prefix, _) in _KINDS.items()}
    # The entities the canned queries name by default are made like the others.
    named = {"company": [], "agency": ["org/kicox", "org/kiat"], "ministry": ["org/motie"],
             "city": ["place/daegu"], "programme": ["policy/green-new-deal"],
             "strategy": ["policy/industrial-ai-internalization-strategy", "policy/industrial-location-policy"],
             "eubody": ["org/european-commission"]}
    for kind, extra in named.items():
        ids[kind] = extra + ids[kind]
    classes = {kind: cls for kind, (_, _, _, cls) in _KINDS.items()}
    classes_of: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    for kind, members in ids.items():
        for entity in members:
            classes_of[entity] = classes[kind]
            kind_of[entity] = kind
    classes_of["org/kicox"] = "PublicCorporation"
    countries = [f"place/{c}" for c in _COUNTRIES]
    for country in countries:
        classes_of[country] = "Country"
        kind_of[country] = "country"
    classes_of["org/european-union"] = "InternationalOrganisation"
    kind_of["org/european-union"] = "intl"
    ids["intl"] = ["org/european-union"]
    # All the entities: those of entities.csv (the ones above, the programme phases made with the
    # phases table, a site for each row of complexes) and those of the one-row tables.
    share = shape.get("entities", 1.0) - shape.get("phases", 0.0) - shape.get("complexes", 0.0)
    total = round(len(classes_of) / max(0.3, share))
    phases = max(2, round(shape.get("phases", 0.0) * total))
    documents = [f"doc-{i:05d}.txt" for i in range(1, max(2, round(shape.get("documents", 0.0) * total)) + 1)]
    t = _Tables(rng, documents, shape, total)

    technologies, industries = _concepts(t)
    _documents(t, documents, ids)

    # -- entities ------------------------------------------------------------------------------
    for entity, cls in classes_of.items():
        kind = kind_of[entity]
        number = entity.rsplit("-", 1)[-1]
        label = _LABELS.get(kind, "Country") + " " + number if number.isdigit() else entity.split("/")[-1].replace(
            "-", " ").title()
        organisation = kind in _ACTOR_KINDS and kind != "person" or kind == "intl"
        country = ""
        if organisation:
            country = "place/korea" if kind in ("ministry", "localgov") or rng.random() < 0.8 else rng.choice(countries)
        if kind in ("eubody", "intl"):
            country = "place/belgium"
        t.add("entities", id=entity, **{"class": cls}, label_en=label,
              label_ko=f"{label} (ko) {rng.randint(1, 99)}" if rng.random() < 0.3 else "",
              alt_labels=f"{label} alias" if rng.random() < 0.2 else "",
              abbreviations="".join(w[0] for w in label.split()).upper() if rng.random() < 0.15 else "",
              former_names=f"Former {label}" if organisation and rng.random() < 0.05 else "",
              country=country,
              homepage=f"https://{entity.replace('/', '-')}.example.org" if kind == "company" and rng.random() < 0.3
              else "",
              note="Synthetic entity for benchmarks" if rng.random() < 0.05 else "")

    actors = [e for k in _ACTOR_KINDS for e in ids[k]] + ids["intl"]
    rng.shuffle(actors)
    organisations = {e for e in actors if not e.startswith("person/")}
    _phases(t, ids, phases)
    _relations(t, ids, actors, organisations)
    _memberships(t, ids, actors)
    _classifications(t, ids, technologies, industries)
    _changes(t, ids)
    _attributes_and_dates(t, ids, classes_of)
    counted = _listings(t, ids, technologies + industries)
    _observations(t, ids, counted)
    _one_row_facts(t, ids)

    # -- write ---------------------------------------------------------------------------------
    metadata = json.loads((out / "csv-metadata.json").read_text(encoding="utf-8"))
    written: dict[str, int] = {"entities": sum(len(t.rows[name]) for name in ENTITY_TABLES)}
    for table in metadata["tables"]:
        name = table["url"].removesuffix(".csv")
        schema = json.loads((out / table["tableSchema"]).read_text(encoding="utf-8"))
        columns = [c for c in schema["columns"] if not c.get("virtual")]
        rows = t.rows.get(name, [])
        with open(out / table["url"], "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.get("titles", c["name"]) for c in columns])
            names = [c["name"] for c in columns]
            writer.writerows([row.get(n, "") for n in names] for row in rows)
        written[name] = len(rows)
    return written


def _short(value: object, prefix: str) -> str:
    text = "" if value is None else str(value)
    return text.removeprefix(prefix)


def _one_row_facts(t: _Tables, ids: dict[str, list[str]]) -> None:
    """Rows of the tables that hold an entity and its common facts in one row (complexes, programmes,
    MoUs), in the shipped shares, and the numbers of the running text as ``figures`` (short keys)."""
    rng = t.rng
    for row in t.rows.pop("obs_text", []):
        t.rows["figures"].append({
            **row, "dataset": _short(row["dataset"], "dataset/"), "name": _short(row["id"], "obs/"),
            "indicator": _short(row["indicator"], "concept/indicator/"), "period": _short(row["period"], "period/"),
            "role": _short(row["role"], "concept/observation-role/"),
            "qualifier": _short(row["qualifier"], "concept/value-qualifier/"),
            "status": _short(row["status"], "concept/value-status/")})
    designations = ("national-industrial-complex", "general-industrial-complex", "foreign-investment-zone")
    for number in range(1, t.want("complexes", minimum=1) + 1):
        site = f"synthetic-{number:05d}"
        t.add("entities", id=f"place/site/{site}", **{"class": "IndustrialSite"}, label_en=f"Site {number}",
              country="place/korea")
        t.add("complexes", site=site, designation=designations[number % 3], label=f"Site {number} Complex",
              located_in=_short(rng.choice(ids["city"]), "place/"), designation_printed="complexes")
    ministries = [_short(m, "org/") for m in ids["ministry"]]
    for number in range(1, t.want("programmes", minimum=1) + 1):
        t.add("programmes", programme=f"one-row-programme-{number:05d}", **{"class": "Programme"},
              label=f"Programme {number} (one row)", ministry=rng.choice(ministries), country="place/korea")
    companies = [_short(c, "org/") for c in ids["company"]]
    for number in range(1, t.want("mous", minimum=1) + 1):
        t.add("mous", mou=f"one-row-mou-{number:05d}", label=f"MoU {number}",
              signatories="|".join(rng.sample(companies, min(3, len(companies)))),
              signed_year=rng.randint(2000, 2024), country="place/korea")


def _concepts(t: _Tables) -> tuple[list[str], list[str]]:
    """Concept schemes and concepts; returns the technologies and industries (with the generated ones)."""
    schemes = {"technology": "Technologies", "industry": "Industries and sectors", "topic": "Policy topics",
               "indicator": "Indicators", "observation-role": "Observation roles", "modality": "Modalities",
               "value-qualifier": "Value qualifiers", "value-status": "Value statuses", "change-kind": "Kinds of change",
               "role": "Roles", "complex-designation": "Designations of industrial complexes",
               "network-metric": "Network metrics", "policy-status": "Statuses of policies and acts"}
    extra_schemes = [f"topic-set-{i:05d}" for i in range(1, t.left("concept_schemes") - len(schemes) + 1)]
    for key, label in list(schemes.items()) + [(k, f"Topic set {k[-5:]}") for k in extra_schemes]:
        t.add("concept_schemes", id=f"scheme/{key}", label_en=label, label_ko="", definition=f"{label} (synthetic).",
              **t.source(quote=False))

    def concept(scheme: str, name: str, label: str, *, broader: str = "", top: bool = False) -> None:
        t.add("concepts", id=f"concept/{scheme}/{name}", scheme=f"scheme/{scheme}", label_en=label,
              label_ko=f"{label} (ko)" if t.rng.random() < 0.2 else "",
              alt_labels=f"{label} (alt)" if t.rng.random() < 0.1 else "",
              broader=broader, related="", top_concept_of=f"scheme/{scheme}" if top else "",
              definition=f"The concept {label}.", **t.source(quote=False))

    for name in _TECHNOLOGIES:
        concept("technology", name, name.replace("-", " "), top=True)
    for name in _INDUSTRIES:
        concept("industry", name, name.replace("-", " ") + " industry", top=True)
    for name in ("green-growth", "fourth-industrial-revolution", "regional-balance"):
        concept("topic", name, name.replace("-", " "), top=True)
    concept("indicator", "budget", "budget", top=True)
    concept("indicator", "budget-rd", "R&D budget", broader="concept/indicator/budget")
    concept("indicator", "jobs", "jobs created", top=True)
    concept("indicator", "companies", "number of companies", top=True)
    concept("indicator", "share", "share", top=True)
    for function in _FUNCTIONS:
        concept("indicator", f"agencies-{function}", f"agencies for {function}", top=True)
    for name in ("planned", "actual", "target", "baseline"):
        concept("observation-role", name, name, top=True)
    for name in ("stated", "planned", "proposed", "under-consideration"):
        concept("modality", name, name.replace("-", " "), top=True)
    for name in ("exact", "approximately", "more-than"):
        concept("value-qualifier", name, name.replace("-", " "), top=True)
    for name in ("blank", "dash"):
        concept("value-status", name, f"{name} in the source", top=True)
    for name in ("renaming", "merger", "integration"):
        concept("change-kind", name, name, top=True)
    for name in sorted(set(_ROLE_OF.values()) | {"partner", "coordinator"}):
        concept("role", name, name, top=True)
    for name in ("national-industrial-complex", "general-industrial-complex", "foreign-investment-zone"):
        concept("complex-designation", name, name.replace("-", " "), top=True)
    for name in ("degree", "weighted-degree", "betweenness", "betweenness-approx", "closeness", "eigenvector",
                 "pagerank", "core-number", "community"):
        concept("network-metric", name, name.replace("-", " "), top=True)
    for name in ("in-force", "planned", "ongoing", "completed"):
        concept("policy-status", name, name.replace("-", " "), top=True)
    # The rest: narrower technologies and industries (what policies are classified by), and the
    # topics of the extra schemes, in the shipped proportions (about 2 technologies or industries
    # for 1 other concept).
    left = t.left("concepts")
    topics = min(left // 3, 4 * len(extra_schemes)) if extra_schemes else 0
    technologies = [f"concept/technology/{x}" for x in _TECHNOLOGIES]
    industries = [f"concept/industry/{x}" for x in _INDUSTRIES]
    for i in range(1, left - topics + 1):
        if i % 2:
            technologies.append(f"concept/technology/tech-{i:06d}")
            concept("technology", f"tech-{i:06d}", f"technology {i}",
                    broader=technologies[t.rng.randrange(len(technologies) - 1)])
        else:
            industries.append(f"concept/industry/industry-{i:06d}")
            concept("industry", f"industry-{i:06d}", f"industry {i}",
                    broader=industries[t.rng.randrange(len(industries) - 1)])
    for i in range(topics):
        scheme = extra_schemes[i % len(extra_schemes)]
        concept(scheme, f"topic-{i:06d}", f"topic {i}", top=True)
    return technologies, industries


def _documents(t: _Tables, documents: list[str], ids: dict[str, list[str]]) -> None:
    for number, file in enumerate(documents):
        publisher = ids["ministry"][number % len(ids["ministry"])] if number % 3 == 0 else ""
        title = f"Synthetic source document {number + 1} on industrial policy"
        t.add("documents", file=file, title=title, document_type=t.rng.choice(("press release", "journal paper",
                                                                                 "briefing", "news article")),
              publisher=publisher, date_printed=f"{t.rng.randint(1, 28)} May {t.rng.randint(2000, 2024)}",
              issued=f"{t.rng.randint(2000, 2024)}-{t.rng.randint(1, 12):02d}", language="en",
              source_document=file, source_locator="Title", source_quote=title)


def _link(t: _Tables, table: str, subject: str, relation: str, obj: str, *, modality: str = "stated",
          years: bool = True, concept: str = "", role: str = "") -> None:
    rng = t.rng
    start = rng.randint(1960, 2024) if years and rng.random() < 0.6 else None
    end = start + rng.randint(0, 10) if start is not None and rng.random() < 0.3 else None
    prefix = "rel" if table == "relations" else "proposal"
    t.add(table, id=f"{prefix}/{t.next_id(table):07d}", subject=subject, relation=relation, object=obj,
          role=role, concept=concept, start_year=start, end_year=end, modality=f"concept/modality/{modality}",
          note="synthetic" if rng.random() < 0.02 else "")


def _relations(t: _Tables, ids: dict[str, list[str]], actors: list[str], organisations: set[str]) -> None:
    """The relations every place, policy and event needs first; then links between actors, as many
    as the shipped share of relations leaves, by preferential attachment; then the proposals."""
    rng = t.rng
    for agency in ids["agency"][:40] + ids["institute"][:10]:
        _link(t, "relations", "org/motie", "supervises", agency)
    # Places: containment and the places of things.
    for province in ids["province"]:
        _link(t, "relations", province, "partOf", "place/korea", years=False)
    for city in ids["city"]:
        _link(t, "relations", city, "locatedIn", rng.choice(ids["province"]), years=False)
    for site in ids["site"]:
        _link(t, "relations", site, "locatedIn", rng.choice(ids["city"]), years=False)
    for complex_ in ids["complex"]:
        _link(t, "relations", complex_, "onSite", rng.choice(ids["site"]), years=False)
        _link(t, "relations", complex_, "locatedIn", rng.choice(ids["city"]), years=False)
    for zone in ids["zone"]:
        _link(t, "relations", zone, "partOf", "place/korea", years=False)
    for mini in ids["mini"]:
        _link(t, "relations", mini, "inZone", rng.choice(ids["zone"]), years=False)
        _link(t, "relations", mini, "locatedIn", rng.choice(ids["site"]), years=False)
    for cluster in ids["cluster"]:
        _link(t, "relations", cluster, "locatedIn", rng.choice(ids["city"]), years=False)
    for organisation in sorted(organisations):
        if rng.random() < 0.15:
            city = "place/daegu" if rng.random() < 0.1 else rng.choice(ids["city"])
            _link(t, "relations", organisation, "headquarteredIn", city, years=False)
    for company in ids["company"]:
        if rng.random() < 0.05:
            _link(t, "relations", company, "hosts", rng.choice(ids["complex"]))
    # Policies: parts, responsible bodies, acts.
    policies = ids["strategy"] + ids["programme"] + ids["project"] + ids["support"]
    # The Green New Deal has as many projects as its table needs (6 years, one row per project and a total).
    in_green_new_deal = max(2, round(t.want("obs_green_new_deal") / 6) - 1)
    programmes = [p for p in ids["programme"] if p != "policy/green-new-deal"] or ids["programme"]
    for number, project in enumerate(ids["project"]):
        programme = "policy/green-new-deal" if number < in_green_new_deal else rng.choice(programmes)
        _link(t, "relations", project, "partOf", programme, years=False)
    for task in ids["task"]:
        strategy = ("policy/industrial-ai-internalization-strategy" if rng.random() < 0.1
                    else rng.choice(ids["strategy"]))
        _link(t, "relations", task, "partOf", strategy, years=False)
    for support in ids["support"]:
        _link(t, "relations", support, "partOf", rng.choice(programmes), years=False)
    for era in ids["era"]:
        _link(t, "relations", era, "partOf", "policy/industrial-location-policy", years=False)
    for policy in policies:
        ministry = "org/motie" if rng.random() < 0.3 else rng.choice(ids["ministry"])
        _link(t, "relations", ministry, rng.choice(("supervisesPolicy", "manages", "announces")), policy)
        for _ in range(rng.choice((0, 0, 0, 1))):
            _link(t, "relations", rng.choice(actors), rng.choice(("plans", "implements", "funds")), policy)
        if rng.random() < 0.1:
            _link(t, "relations", policy, "basedOnAct", rng.choice(ids["act"]), years=False)
    for event in ids["meeting"] + ids["conference"]:
        if rng.random() < 0.5:
            _link(t, "relations", event, "heldIn", rng.choice(ids["city"]), years=False)
    # Links between actors with what is left, by preferential attachment: each actor links to earlier
    # ones chosen by degree, some actors to none (the shipped graph has many isolated actors).
    budget = t.left("relations", minimum=len(t.rows["relations"]) + max(4, len(actors) // 10))
    per_actor = budget / max(1, len(actors) - 1)
    groups = set(ids["group"])
    repeated: list[int] = []
    made = 0
    for index, actor in enumerate(actors):
        if index == 0 or made >= budget:
            continue
        links = min(index, math.floor(per_actor) + (1 if rng.random() < per_actor % 1 else 0), budget - made)
        for target in _preferential(rng, list(range(index)), repeated, links):
            other = actors[target]
            if other in groups and actor.startswith("org/company"):
                relation = "affiliateOf"
            else:
                relation = rng.choice(_ACTOR_LINKS)
                if relation in _ORGANISATION_ONLY and not (actor in organisations and other in organisations):
                    relation = "cooperatesWith"
            modality = "stated" if rng.random() < 0.9 else "planned"
            role = f"concept/role/{rng.choice(('partner', 'coordinator'))}" if rng.random() < 0.3 else ""
            _link(t, "relations", actor, relation, other, modality=modality, role=role)
            repeated += [index, target]
            made += 1
    # Proposals: links a study proposes (a government implementing a policy, two actors cooperating).
    proposers = sorted(organisations)
    for _ in range(t.left("proposals", minimum=1)):
        if rng.random() < 0.5:
            _link(t, "proposals", rng.choice(proposers), "implements", rng.choice(policies), modality="proposed")
        else:
            first, second = rng.sample(actors, 2)
            _link(t, "proposals", first, "cooperatesWith", second, modality="proposed")


def _memberships(t: _Tables, ids: dict[str, list[str]], actors: list[str]) -> None:
    """Members of bodies (committees, events, agreements, collaborations), as many as the shipped
    share of memberships: most bodies have none listed, as in the sources."""
    rng = t.rng
    bodies = ([(e, "committee") for e in ids["committee"]] + [(e, "event") for e in ids["meeting"] + ids["conference"]]
              + [(e, "agreement") for e in ids["agreement"]] + [(e, "collab") for e in ids["collab"] + ids["mini"]])
    rng.shuffle(bodies)
    # A collaboration with a European member first (the EU-Korea query), then the others by attachment.
    bodies.sort(key=lambda body: body[1] != "collab")
    others = [a for a in actors if not a.startswith(("org/eu-body", "org/european"))]
    european = ids["eubody"] + ids["intl"]
    position_of = {actor: i for i, actor in enumerate(others)}
    weights: list[int] = []
    pool = list(range(len(others)))
    budget = t.want("memberships", minimum=3)
    for number, (body, kind) in enumerate(bodies):
        left = budget - len(t.rows["memberships"])
        if left <= 0:
            break
        size = min(left, 6, 2 + int(rng.expovariate(0.9)))
        members = [others[i] for i in _preferential(rng, pool, weights, size) if others[i] != body]
        if number == 0 or rng.random() < 0.05:
            members[-1:] = [rng.choice(european)]
        for position, member in enumerate(members):
            relation = rng.choice(_SHARED[kind])
            if kind == "collab" and position == 0 and member.startswith("org/"):
                relation = "leads"
            start = rng.randint(1990, 2024) if rng.random() < 0.5 else None
            t.add("memberships", id=f"membership/{t.next_id('memberships'):07d}", member=member, organization=body,
                  role=f"concept/role/{_ROLE_OF[relation]}", relation=relation, start_year=start,
                  end_year=start + rng.randint(0, 6) if start and rng.random() < 0.2 else None,
                  modality="concept/modality/stated" if rng.random() < 0.92 else "concept/modality/planned",
                  note="")
        weights += [position_of[m] for m in members if m in position_of]


def _classifications(t: _Tables, ids: dict[str, list[str]], technologies: list[str], industries: list[str]) -> None:
    rng = t.rng

    def classify(entity: str, prop: str, concept: str, printed: str = "") -> None:
        t.add("classifications", id=f"class/{t.next_id('classifications'):07d}", entity=entity, property=prop,
              concept=concept, printed=printed)

    for complex_ in ids["complex"]:
        designation = rng.choice(("national-industrial-complex", "general-industrial-complex", "foreign-investment-zone"))
        classify(complex_, "designation", f"concept/complex-designation/{designation}")
        classify(complex_, "specialisesIn", rng.choice(industries))
    for thing in ids["mini"] + ids["cluster"]:
        classify(thing, "specialisesIn", "concept/industry/machinery" if rng.random() < 0.1 else rng.choice(industries))
    for act in ids["act"]:
        classify(act, "status", "concept/policy-status/in-force")
    # Policies and agreements: what they concern or target, as many as the shipped share leaves.
    policies = ids["strategy"] + ids["programme"] + ids["project"] + ids["task"] + ids["agreement"]
    seen: set[tuple[str, str, str]] = set()
    for number in range(t.left("classifications") * 2):
        if not t.left("classifications"):
            break
        policy = policies[number % len(policies)]
        technology = ("concept/technology/artificial-intelligence" if rng.random() < 0.1
                      else rng.choice(technologies + industries))
        prop = rng.choice(("concerns", "targets"))
        if (policy, prop, technology) in seen:
            continue
        seen.add((policy, prop, technology))
        classify(policy, prop, technology, printed="as printed" if rng.random() < 0.1 else "")


def _changes(t: _Tables, ids: dict[str, list[str]]) -> None:
    """One row per change event, and a second original for the mergers, as many as the shipped share."""
    rng = t.rng
    candidates = ids["agency"] + ids["institute"] + ids["company"]
    mergers = t.want("change_events") - len(ids["change"])
    for number, change in enumerate(ids["change"]):
        original, resulting = rng.sample(candidates, 2)
        kind = "merger" if number < mergers else rng.choice(("renaming", "integration"))
        year = rng.randint(1970, 2023)
        t.add("change_events", id=f"{change}/1", event=change, original=original, resulting=resulting,
              kind=f"concept/change-kind/{kind}", year=year)
        if kind == "merger":
            t.add("change_events", id=f"{change}/2", event=change, original=rng.choice(candidates),
                  resulting=resulting, kind=f"concept/change-kind/{kind}", year=year)


def _phases(t: _Tables, ids: dict[str, list[str]], count: int) -> None:
    """``count`` ProgrammePhase entities, each a phase of a programme, phases of one programme in order."""
    rng = t.rng
    programmes = ids["programme"]
    ordinal: dict[str, int] = defaultdict(int)
    year: dict[str, int] = {}
    for number in range(1, count + 1):
        programme = programmes[number % len(programmes)]
        phase = f"policy/phase-{number:06d}"
        label = f"Phase {number}"
        t.add("entities", id=phase, **{"class": "ProgrammePhase"}, label_en=label, label_ko="", alt_labels="",
              abbreviations="", former_names="", country="", homepage="", note="")
        ordinal[programme] += 1
        start = year.get(programme, rng.randint(1990, 2015))
        end = start + rng.randint(1, 4)
        year[programme] = end + 1
        t.add("phases", id=f"phase-statement/{number:06d}", phase=phase, programme=programme,
              ordinal=ordinal[programme], start_year=start, end_year=end, printed=f"{start}-{end}")


def _attributes_and_dates(t: _Tables, ids: dict[str, list[str]], classes_of: dict[str, str]) -> None:
    rng = t.rng

    def attribute(entity: str, prop: str, text: str, minimum: int | None = None) -> None:
        t.add("attributes", id=f"attr/{t.next_id('attributes'):07d}", entity=entity, property=prop, text=text,
              minimum_participants=minimum)

    def date(entity: str, prop: str) -> None:
        y, m, d = rng.randint(1960, 2024), rng.randint(1, 12), rng.randint(1, 28)
        form = rng.random()
        cells = ({"date": f"{y}-{m:02d}-{d:02d}"} if form < 0.5 else {"year_month": f"{y}-{m:02d}"} if form < 0.8
                 else {"year": str(y)})
        t.add("dates", id=f"date/{t.next_id('dates'):07d}", entity=entity, property=prop,
              printed=next(iter(cells.values())), **cells)

    for era in ids["era"]:
        attribute(era, "developmentStage", rng.choice(("take-off", "catch-up", "maturity")))
        attribute(era, "detail", "Complexes built near ports")
        attribute(era, "characteristic", "State-led location policy")
    for support in ids["support"]:
        attribute(support, "requirement", "At least three companies apply together", rng.randint(2, 10))
        attribute(support, "detail", "Subsidy for joint R&D")
    # Details as printed in a table cell or a list item: mostly of policies and places, as shipped.
    described = ids["programme"] + ids["strategy"] + ids["project"] + ids["platform"] + ids["agency"] + [
        e for e, cls in classes_of.items() if cls == "Country"]
    for number in range(t.left("attributes")):
        attribute(described[number % len(described)], "detail", f"Detail {number} as printed in the source")
    # Dates: acts, events, agreements and policies, in turn, until the shipped share is reached.
    candidates = ([(act, "enactedOn") for act in ids["act"]] + [(e, "eventDate") for e in ids["meeting"] + ids["conference"]]
                  + [(a, rng.choice(("eventDate", "inForceFrom"))) for a in ids["agreement"]]
                  + [(p, "startDate") for p in ids["strategy"] + ids["programme"]])
    rng.shuffle(candidates)
    candidates.sort(key=lambda pair: pair[0] not in ("policy/green-new-deal",) and not pair[0].startswith("act/"))
    for entity, prop in candidates[: t.want("dates", minimum=2)]:
        date(entity, prop)


def _periods(t: _Tables) -> list[str]:
    """The periods: 2020-2025 (and each of its years), the years before, then ranges of years, as
    many as the shipped share of periods; returns the single years, latest first."""
    rng = t.rng
    years = list(range(2025, 2019, -1))
    want = t.want("periods", minimum=len(years) + 2)
    years += list(range(2019, 2019 - max(0, min(want - len(years) - 2, 70)), -1))
    for y in years:
        t.add("periods", id=f"period/y{y}", label=str(y), start_year=y, end_year=y,
              part_of="period/2020-2025" if 2020 <= y <= 2025 else "", **t.source(quote=False))
    t.add("periods", id="period/not-stated", label="not stated in the source", start_year=None, end_year=None,
          part_of="", **t.source(quote=False))
    t.add("periods", id="period/2020-2025", label="2020-2025", start_year=2020, end_year=2025, part_of="",
          **t.source(quote=False))
    for number in range(t.left("periods")):
        start = rng.randint(1950, 2030)
        t.add("periods", id=f"period/range-{number:06d}", label=f"{start}-{start + 2}", start_year=start,
              end_year=start + 2, part_of="", **t.source(quote=False))
    return [f"period/y{y}" for y in years]


def _observations(t: _Tables, ids: dict[str, list[str]], counted: list[tuple[str, int]]) -> None:
    rng = t.rng
    years = _periods(t)
    datasets = {"obs_table1_agencies": "dataset/table1-agencies", "obs_table2_rd_outcomes": "dataset/table2-rd-outcomes",
                "obs_green_new_deal": "dataset/green-new-deal", "obs_cluster_programmes": "dataset/cluster-programmes",
                "obs_iccp_support": "dataset/iccp-support"}
    for dataset in datasets.values():
        t.add("datasets", id=dataset, title=f"Synthetic table {dataset.split('/')[-1]}", document=t.documents[0],
              rounding_tolerance=rng.choice(("", "0.5", "1")), header_decision="")
    text_datasets = [f"dataset/text-{i:05d}" for i in range(1, max(1, t.left("datasets")) + 1)]
    for number, dataset in enumerate(text_datasets):
        document = t.documents[number % len(t.documents)]
        t.add("datasets", id=dataset, title=f"Numbers in the text of {document}", document=document,
              rounding_tolerance="", header_decision="")
    seen: dict[tuple[str, str, str, str, str], str] = {}

    def observe(table: str, dataset: str, entity: str, indicator: str, period: str, role: str, value: int | None,
                unit: str = "unit/NUM", multiplier: int | None = None, row: str = "", column: str = "",
                counts: str = "") -> bool:
        key = (entity, indicator, period, role, unit)
        printed = f"{value:,}" if value is not None else rng.choice(("-", "n/a"))
        if value is not None:
            if key in seen:
                return False  # the same quantity twice would be a disagreement; made on purpose below only
            seen[key] = printed
        t.add(table, id=f"obs/{t.next_id('obs'):08d}", dataset=dataset, entity=entity,
              indicator=f"concept/indicator/{indicator}", period=period, role=f"concept/observation-role/{role}",
              printed=printed, value=value, unit=unit if value is not None else "",
              multiplier=multiplier if value is not None else None,
              qualifier=f"concept/value-qualifier/{rng.choice(('exact', 'exact', 'approximately', 'more-than'))}",
              status="" if value is not None else f"concept/value-status/{rng.choice(('blank', 'dash'))}",
              row_label=row, column_label=column, counts=counts, note="")
        return True

    # Table 1: agencies by province and function, with the national total that sums them, for as
    # many years as the shipped share of the table asks.
    groups = max(1, round(t.want("obs_table1_agencies") / (len(ids["province"]) + 1)))
    for number in range(groups):
        function, period = _FUNCTIONS[number % len(_FUNCTIONS)], years[(number // len(_FUNCTIONS)) % len(years)]
        values = {p: rng.randint(1, 60) for p in ids["province"]}
        for province, value in values.items():
            observe("obs_table1_agencies", datasets["obs_table1_agencies"], province, f"agencies-{function}",
                    period, "actual", value, row=province.split("/")[-1], column=function)
        observe("obs_table1_agencies", datasets["obs_table1_agencies"], "place/korea", f"agencies-{function}",
                period, "actual", sum(values.values()), row="total", column=function)
    # Table 2: R&D outcomes of regions.
    regions = ids["province"] + ids["city"]
    for region in regions[: max(1, t.want("obs_table2_rd_outcomes") // 2)]:
        for column in ("patents", "papers"):
            observe("obs_table2_rd_outcomes", datasets["obs_table2_rd_outcomes"], region, "companies", "period/y2020",
                    "actual" if column == "patents" else "planned", rng.randint(0, 5000), row=region.split("/")[-1],
                    column=column)
    # Green New Deal: the projects of the programme and its total, per year.
    gnd_projects = [row["subject"] for row in t.rows["relations"]
                    if row["relation"] == "partOf" and row["object"] == "policy/green-new-deal"]
    for y in range(2020, 2026):
        values = {p: rng.randint(10, 5000) for p in gnd_projects}
        for project, value in values.items():
            observe("obs_green_new_deal", datasets["obs_green_new_deal"], project, "budget", f"period/y{y}", "planned",
                    value, unit="currency/KRW", multiplier=9)
        if values:
            observe("obs_green_new_deal", datasets["obs_green_new_deal"], "policy/green-new-deal", "budget",
                    f"period/y{y}", "planned", sum(values.values()), unit="currency/KRW", multiplier=9)
    # Support programmes: caps and shares over the years, some cells blank in the source.
    for number in range(t.left("obs_iccp_support")):
        support = ids["support"][number % len(ids["support"])]
        period = years[(number // (2 * len(ids["support"]))) % len(years)]
        if number // len(ids["support"]) % 2 == 0:
            observe("obs_iccp_support", datasets["obs_iccp_support"], support, "budget", period, "planned",
                    rng.randint(1, 900) if rng.random() < 0.8 else None, unit="currency/KRW", multiplier=6)
        else:
            observe("obs_iccp_support", datasets["obs_iccp_support"], support, "share", period, "planned",
                    rng.randint(10, 90), unit="unit/PERCENT")
    for number in range(t.left("obs_cluster_programmes", minimum=1)):
        programme = ids["programme"][number % len(ids["programme"])]
        observe("obs_cluster_programmes", datasets["obs_cluster_programmes"], programme, "companies",
                years[(number // len(ids["programme"])) % len(years)], "actual", rng.randint(5, 500))
    # Numbers in running text: budgets, jobs, targets and baselines of policies and organisations
    # (the listings' stated counts and the disagreements below are numbers in the text too).
    subjects = (ids["strategy"] + ids["programme"] + ids["project"] + ids["task"] + ids["company"][:: 3]
                + ids["agency"] + ["policy/industrial-ai-internalization-strategy"] * 5)
    wanted = max(3, t.want("figures") // 100)
    # The counts the sources state for the listings, each for a programme and year of its own.
    for number, (listing, members) in enumerate(counted):
        programme = ids["programme"][number % len(ids["programme"])]
        observe("obs_text", text_datasets[0], programme, "companies", years[(number // len(ids["programme"])) % len(years)],
                "actual", members, counts=listing)
    attempts = 0
    while len(t.rows["obs_text"]) < t.want("figures") - wanted and attempts < 20 * t.want("figures"):
        attempts += 1
        entity = rng.choice(subjects)
        indicator = rng.choice(("budget", "budget-rd", "jobs", "companies", "share"))
        unit = {"budget": "currency/KRW", "budget-rd": "currency/KRW", "share": "unit/PERCENT"}.get(indicator,
                                                                                                  "unit/NUM")
        role = rng.choice(("planned", "actual", "target", "baseline"))
        value = rng.randint(1, 100) if unit == "unit/PERCENT" else rng.randint(1, 50000)
        observe("obs_text", rng.choice(text_datasets), entity, indicator, rng.choice(years), role,
                value if rng.random() < 0.97 else None, unit=unit, multiplier=9 if unit == "currency/KRW" else None)
    # A few disagreements between sources (warnings, as in the real data).
    candidates = [key for key in seen if key[1].startswith("budget") and key[2].startswith("period/y")]
    for key in candidates[:: max(1, len(candidates) // wanted)][:wanted]:
        entity, indicator, period, role, unit = key
        printed = seen[key]
        value = int(printed.replace(",", "")) + 1
        t.add("obs_text", id=f"obs/{t.next_id('obs'):08d}", dataset=rng.choice(text_datasets), entity=entity,
              indicator=f"concept/indicator/{indicator}", period=period, role=f"concept/observation-role/{role}",
              printed=f"{value:,}", value=value, unit=unit,
              multiplier=9, qualifier="concept/value-qualifier/exact", status="", row_label="", column_label="",
              counts="", note="differs from another source")


def _listings(t: _Tables, ids: dict[str, list[str]], concepts: list[str]) -> list[tuple[str, int]]:
    """Listings of entities and of concepts, in the shipped shares; returns each entity listing with
    its number of members (the count the source states)."""
    rng = t.rng
    listings = [f"listing/list-{n:05d}" for n in range(1, t.want("listings", minimum=2) + 1)]
    members_wanted, concepts_wanted = t.want("listing_members"), t.want("listing_concepts")
    for_concepts = max(1, round(len(listings) * concepts_wanted / max(1, members_wanted + concepts_wanted)))
    per_listing = max(2, round(members_wanted / max(1, len(listings) - for_concepts)))
    per_concept_listing = max(2, round(concepts_wanted / for_concepts))
    pool = ids["company"] + ids["agency"] + ids["project"]
    counted = []
    for number, listing in enumerate(listings, start=1):
        t.add("listings", id=listing, label=f"Listing {number}", complete=rng.choice(("true", "false")))
        if number <= for_concepts:
            for position, member in enumerate(rng.sample(concepts, min(len(concepts), per_concept_listing)), start=1):
                t.add("listing_concepts", id=f"{listing}/concept/{position}", listing=listing, member=member,
                      position=position, printed=f"concept {position}")
            continue
        members = rng.sample(pool, min(len(pool), max(2, per_listing + rng.randint(-2, 2))))
        for position, member in enumerate(members, start=1):
            t.add("listing_members", id=f"{listing}/member/{position}", listing=listing, member=member,
                  position=position, printed=f"member {position}")
        counted.append((listing, len(members)))
    return counted
