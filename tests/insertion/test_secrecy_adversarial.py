"""The curious reader: for a seeded data set full of small groups, every figure of the IAE that
one user can see (indicator pages under every filter, their XLSX, the SIAE pages, the yearly PDF
reports, the observatory's pages, downloads and open data) is collected, and every combination
of them is tried — totals minus visible parts, rows against columns and margins, a filter
against the unfiltered view and the other values of the filter, each year's cells, a percentage
times its total. No hidden count of 1 to 4 people may come out.

The reader's model is written here from the meaning of each figure, independently of the code
that publishes them: a figure is a sum of unknowns (year, SIAE, commune of residence, atom), e.g.
« sorties dynamiques » of a kind of SIAE in a year is the sum, over the SIAE of that kind and
every commune, of the durable, transition and positive exits. Everything the reader learns is a
linear equation on those unknowns; a hidden figure is recovered when its own sum is a linear
combination of what the reader knows (exact elimination modulo a large prime)."""

import datetime
import json
import random
from collections import defaultdict
from io import BytesIO
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from essor.accounts.models import Role
from essor.insertion.models import (
    LOW_QUALIFICATION,
    Barrier,
    BarrierType,
    ExitCategory,
    Siae,
    SiaeKind,
    SupportKind,
    Training,
)
from essor.territory.models import Commune
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.insertion.factories import (
    AnnexFactory,
    ContractFactory,
    ExitFactory,
    ParticipantFactory,
    make_siae,
)

pytestmark = pytest.mark.django_db

PRIME = (1 << 61) - 1
COUNTED = ["durable", "transition", "positive", "other"]
DYNAMIC = ["durable", "transition", "positive"]
FLAGS = ["rsa", "long_term", "qpv", "rqth", "low_qualification"]
PROFILE_KEYS = ["women", "under_26", "over_50", *FLAGS]
SUPPORTS = list(SupportKind.values)


# The seeded world ------------------------------------------------------------------------------


class Seed:
    """Five SIAE (two ACI, an AI, an EI, an EITI), two funders, three communes, two years."""

    def __init__(self, world):
        rng = random.Random(20261127)
        self.world = world
        self.years = [timezone.localdate().year - 1, timezone.localdate().year]
        first, last = datetime.date(self.years[0], 1, 1), datetime.date(self.years[1], 12, 31)
        departement = OrganisationFactory(name="Département du Nord", legal_category="7220")
        self.second_funder = MembershipFactory(
            user=UserFactory(email="instructeur.departement@example.org"),
            organisation=departement,
            role=Role.FUNDER_INSTRUCTOR,
        ).user
        specs = [
            (world.structure, "ACI", 15, [world.funder]),
            (world.other_structure, "ACI", 6, [world.funder]),
            (OrganisationFactory(name="Tri Solidaire"), "AI", 9, [departement]),
            (OrganisationFactory(name="Bâti Insertion"), "EI", 4, [world.funder, departement]),
            (OrganisationFactory(name="Cap Indépendants"), "EITI", 2, []),
        ]
        self.communes = list(Commune.objects.order_by("insee_code")[:3])
        self.siaes = []
        for number, (organisation, kind, size, funders) in enumerate(specs, start=1):
            siae = make_siae(world, organisation=organisation, kind=kind, funded=False)
            siae.funders.set(funders)
            AnnexFactory(siae=siae, number=f"{kind}05925{number:04d}A0M0", start=first, end=last)
            self.siaes.append(siae)
            for _ in range(size):
                self._participant(rng, siae)

    def _participant(self, rng, siae):
        commune = rng.choice([*self.communes, None])
        person = ParticipantFactory(
            siae=siae,
            sex=rng.choice("FM"),
            birth_year=rng.choice([1962, 1975, 1988, self.years[0] - 22]),
            education_level=rng.choice(["1-2", "3", "4", "5", "6+"]),
            rsa=rng.random() < 0.4,
            long_term_unemployed=rng.random() < 0.5,
            qpv_resident=rng.random() < 0.3,
            rqth=rng.random() < 0.15,
            commune=commune,
        )
        start = datetime.date(rng.choice(self.years), rng.randint(1, 9), 1)
        exit_date = None
        if rng.random() < 0.6:
            exit_date = min(
                start + datetime.timedelta(days=rng.randint(60, 400)),
                datetime.date(self.years[1], 12, 31),
            )
        ContractFactory(participant=person, start=start, end=exit_date)
        if exit_date:
            category = rng.choice([*COUNTED, "durable", "other", "withdrawn"])
            ExitFactory(participant=person, date=exit_date, category=category)
        for barrier_type in BarrierType.objects.order_by("position")[:3]:
            if rng.random() < 0.35:
                Barrier.objects.create(
                    participant=person,
                    barrier_type=barrier_type,
                    identified_on=start,
                    support=rng.choice(SUPPORTS),
                )
        if rng.random() < 0.4:
            Training.objects.create(participant=person, title="Formation", start=start, hours=35)


def truth(seed) -> dict:
    """The true value of every unknown, from the participants themselves."""
    values = defaultdict(int)
    siaes = {siae.pk for siae in seed.siaes}
    for siae in Siae.objects.filter(pk__in=siaes):
        for person in siae.participants.prefetch_related("contracts", "barriers__barrier_type"):
            contracts = list(person.contracts.all())
            exit_ = getattr(person, "exit", None) if hasattr(person, "exit") else None
            for year in seed.years:
                start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
                cell = (year, siae.pk, person.commune_id)
                employed = any(
                    c.start <= end and (c.end is None or c.end >= start) for c in contracts
                )
                if employed:
                    values[(*cell, "people")] += 1
                    values[(*cell, "entries")] += min(c.start for c in contracts) >= start
                    values[(*cell, "women")] += person.sex == "F"
                    values[(*cell, "under_26")] += person.birth_year > year - 26
                    values[(*cell, "over_50")] += person.birth_year <= year - 50
                    values[(*cell, "rsa")] += person.rsa
                    values[(*cell, "long_term")] += person.long_term_unemployed
                    values[(*cell, "qpv")] += person.qpv_resident
                    values[(*cell, "rqth")] += person.rqth
                    values[(*cell, "low_qualification")] += (
                        person.education_level in LOW_QUALIFICATION
                    )
                    for barrier in person.barriers.all():
                        slug = barrier.barrier_type.slug
                        values[(*cell, f"barrier:{slug}:{barrier.support}")] += 1
                if exit_ and start <= exit_.date <= end and exit_.category in COUNTED:
                    values[(*cell, f"exit:{exit_.category}")] += 1
                if person.trainings.filter(start__gte=start, start__lte=end).exists():
                    values[(*cell, "trained")] += 1
    return values


# What a figure is ------------------------------------------------------------------------------


class Reader:
    """Everything one user has seen: equations (a sum of unknowns = a value), hidden figures
    (the sum whose value the user does not see), and the unknowns the user knows anyway."""

    def __init__(self, seed, values):
        self.seed = seed
        self.values = values
        self.communes = [commune.pk for commune in seed.communes] + [None]
        self.seen: list[tuple[str, frozenset, int]] = []
        self.hidden: list[tuple[str, frozenset]] = []
        self.known_unknowns: set = set()

    def atoms(self, year, siae_ids, commune, atoms) -> frozenset:
        communes = self.communes if commune is None else [commune]
        return frozenset(
            (year, siae, place, atom) for siae in siae_ids for place in communes for atom in atoms
        )

    def true(self, unknowns) -> int:
        return sum(self.values.get(unknown, 0) for unknown in unknowns)

    def figure(self, label, unknowns, value):
        if value is None:
            self.hidden.append((label, unknowns))
            return
        assert value == self.true(unknowns), f"{label}: publié {value}, vrai {self.true(unknowns)}"
        self.seen.append((label, unknowns, value))

    def share(self, label, part, whole, whole_value, value):
        """A percentage and its total give the part back when only one count rounds to it."""
        if value is None or whole_value in (None, 0):
            return
        matches = [n for n in range(whole_value + 1) if round(100 * n / whole_value, 1) == value]
        if len(matches) == 1:
            self.seen.append((f"{label} (part × total)", part, matches[0]))

    # The indicator pages, their XLSX, the SIAE pages and the PDF reports --------------------

    def indicators(self, data, origin):
        year, scope, commune = data.year, data.siae_ids, data.commune_id

        def atoms(names, siae_ids=scope):
            return self.atoms(year, siae_ids, commune, names)

        where = f"{origin} {year} {sorted(scope)} commune={commune}"
        people = atoms(["people"])
        self.figure(f"{where} personnes", people, data.people)
        self.figure(f"{where} entrées", atoms(["entries"]), data.entries)
        exits = atoms([f"exit:{c}" for c in COUNTED])
        self.figure(f"{where} sorties", exits, data.exits_total)
        for key, _, count in data.exits:
            self.figure(f"{where} sorties {key}", atoms([f"exit:{key}"]), count)
        dynamic = atoms([f"exit:{c}" for c in DYNAMIC])
        self.figure(f"{where} sorties dynamiques", dynamic, data.dynamic_exits)
        self.figure(f"{where} autres sorties", atoms(["exit:other"]), data.other_exits)
        self.share(f"{where} taux", dynamic, exits, data.exits_total, data.dynamic_rate)
        for item in data.profile:
            part = atoms([item["key"]])
            self.figure(f"{where} profil {item['key']}", part, item["count"])
            self.share(f"{where} part {item['key']}", part, people, data.people, item["share"])
        for item in data.barriers:
            names = [f"barrier:{item['key']}:{support}" for support in SUPPORTS]
            self.figure(f"{where} frein {item['key']}", atoms(names), item["people"])
            for support, column in zip(SUPPORTS, ["none", "internal", "external"], strict=True):
                self.figure(
                    f"{where} frein {item['key']} {support}",
                    atoms([f"barrier:{item['key']}:{support}"]),
                    item[column],
                )
        self.figure(f"{where} formés", atoms(["trained"]), data.trained_people)
        kinds = {siae.pk: siae.kind for siae in self.seed.siaes}
        for row in data.by_kind:
            members = frozenset(s for s in scope if kinds[s] == row["key"])
            self.breakdown(
                f"{where} type {row['key']}", row, lambda names, m=members: atoms(names, m)
            )
        for row in data.by_siae:
            member = frozenset([int(row["key"])])
            self.breakdown(
                f"{where} SIAE {row['key']}", row, lambda names, m=member: atoms(names, m)
            )

    def breakdown(self, where, row, atoms):
        people, exits = atoms(["people"]), atoms([f"exit:{c}" for c in COUNTED])
        dynamic = atoms([f"exit:{c}" for c in DYNAMIC])
        self.figure(f"{where} personnes", people, row["people"])
        self.figure(f"{where} sorties", exits, row["exits"])
        self.figure(f"{where} sorties dynamiques", dynamic, row["dynamic"])
        self.share(f"{where} taux", dynamic, exits, row["exits"], row["rate"])

    def workbook(self, content, data, origin):
        """The XLSX of an indicators page: every sheet read back to its figures."""
        sheets = load_workbook(BytesIO(content))

        def rows(title):
            return table_body(sheets[title])

        def value(cell):
            return None if cell == "s" else cell

        year, scope, commune = data.year, data.siae_ids, data.commune_id
        where = f"{origin} {year} {sorted(scope)} commune={commune}"
        summary = {row[0]: value(row[1]) for row in rows("Synthèse")}
        atoms = lambda names, s=scope: self.atoms(year, s, commune, names)  # noqa: E731
        self.figure(
            f"{where} personnes", atoms(["people"]), summary["Personnes salariées dans l'année"]
        )
        labels = dict(zip(ExitCategory.labels, ExitCategory.values, strict=True))
        for row in rows("Sorties"):
            self.figure(
                f"{where} sorties {row[0]}", atoms([f"exit:{labels[row[0]]}"]), value(row[1])
            )
        kinds = {siae.pk: siae.kind for siae in self.seed.siaes}
        kind_of_label = {label: code for code, label in SiaeKind.choices}
        names = {f"{siae.organisation.name} ({siae.kind})": siae.pk for siae in self.seed.siaes}
        for title, members_of in (
            (
                "Par type de SIAE",
                lambda label: {s for s in scope if kinds[s] == kind_of_label[label]},
            ),
            ("Par SIAE", lambda label: {names[label]}),
        ):
            if title not in sheets.sheetnames:
                continue
            for row in rows(title):
                members = frozenset(members_of(row[0]))
                self.breakdown(
                    f"{where} {title} {row[0]}",
                    {
                        "people": value(row[1]),
                        "exits": value(row[2]),
                        "dynamic": value(row[3]),
                        "rate": value(row[4]),
                    },
                    lambda names, m=members: atoms(names, m),
                )

    # The observatory ------------------------------------------------------------------------

    def observatory_table(self, key, year, columns, row_keys, table_rows, origin):
        everyone = frozenset(siae.pk for siae in self.seed.siaes)
        kinds = {siae.pk: siae.kind for siae in self.seed.siaes}
        where = f"{origin} {key} {year}"
        for row_key, row in zip(row_keys, table_rows, strict=True):
            cells = dict(zip(columns, row, strict=True))
            if key == "insertion.people_by_kind":
                members = frozenset(s for s in everyone if kinds[s] == row_key)
                self.breakdown(
                    f"{where} {row_key}",
                    {
                        "people": cells["Personnes salariées"],
                        "exits": cells["Sorties constatées"],
                        "dynamic": cells["Sorties dynamiques"],
                        "rate": cells["Taux de sortie dynamique (%)"],
                    },
                    lambda names, m=members: self.atoms(year, m, None, names),
                )
            elif key == "insertion.exits_by_category":
                unknowns = self.atoms(year, everyone, None, [f"exit:{row_key}"])
                self.figure(f"{where} {row_key}", unknowns, cells["Personnes"])
            elif key == "insertion.profile":
                part = self.atoms(year, everyone, None, [row_key])
                self.figure(f"{where} {row_key}", part, cells["Personnes"])

    # The reader at work ---------------------------------------------------------------------

    def recovered(self) -> list[str]:
        """Hidden figures of 1 to 4 people that the equations determine."""
        basis: dict = {}

        def reduce(vector: dict) -> dict:
            vector = dict(vector)
            while vector:
                pivot = max(vector, key=order)
                row = basis.get(pivot)
                if row is None:
                    return vector
                factor = vector[pivot]
                for unknown, coefficient in row.items():
                    updated = (vector.get(unknown, 0) - factor * coefficient) % PRIME
                    if updated:
                        vector[unknown] = updated
                    else:
                        vector.pop(unknown, None)
            return vector

        positions: dict = {}

        def order(unknown):
            return positions.setdefault(unknown, len(positions))

        equations = [unknowns for _, unknowns, _ in self.seen]
        equations += [frozenset([unknown]) for unknown in self.known_unknowns]
        for unknowns in equations:
            residue = reduce(dict.fromkeys(unknowns, 1))
            if residue:
                pivot = max(residue, key=order)
                inverse = pow(residue[pivot], PRIME - 2, PRIME)
                basis[pivot] = {u: c * inverse % PRIME for u, c in residue.items()}
        found = []
        for label, unknowns in self.hidden:
            value = self.true(unknowns)
            if 0 < value < 5 and not reduce(dict.fromkeys(unknowns, 1)):
                found.append(f"{label} = {value}")
        return found


def table_body(sheet) -> list[tuple]:
    """The rows under the header, down to the blank line before the note."""
    body = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if all(cell is None for cell in row):
            break
        body.append(row)
    return body


def read_everything(client, seed, reader, *, role_sees_insertion=True, commune_filter=False):
    kinds = sorted({siae.kind for siae in seed.siaes})
    for year in seed.years:
        if role_sees_insertion:
            page = client.get(reverse("insertion:indicators") + f"?year={year}")
            form = page.context["form"]
            siae_choices = [str(siae.pk) for siae in form.fields["siae"].queryset]
            communes = [""]
            if "commune" in form.fields:
                communes += [str(commune.pk) for commune in seed.communes]
            filters = [("", "")] + [(kind, "") for kind in kinds] + [("", s) for s in siae_choices]
            for kind, siae in filters:
                for commune in communes:
                    query = f"?year={year}&kind={kind}&siae={siae}&commune={commune}"
                    response = client.get(reverse("insertion:indicators") + query)
                    data = response.context["data"]
                    reader.indicators(data, "page")
                    download = client.get(reverse("insertion:indicators_xlsx") + query)
                    reader.workbook(download.content, data, "xlsx")
            for siae in siae_choices:
                with mock.patch("essor.insertion.views.render_pdf", return_value=b"%PDF") as pdf:
                    client.get(reverse("insertion:report_pdf", kwargs={"pk": siae, "year": year}))
                reader.indicators(pdf.call_args.args[1]["data"], "pdf")
                if year == timezone.localdate().year:
                    detail = client.get(reverse("insertion:siae_detail", kwargs={"pk": siae}))
                    reader.indicators(detail.context["data"], "fiche SIAE")
        for key in (
            "insertion.people_by_kind",
            "insertion.exits_by_category",
            "insertion.profile",
        ):
            url = reverse("observatory:open_data_json", kwargs={"key": key, "year": year})
            table = json.loads(client.get(url).content)
            reader.observatory_table(
                key, year, table["columns"], table["row_keys"], table["rows"], "données ouvertes"
            )
            sheets = load_workbook(
                BytesIO(
                    client.get(
                        reverse("observatory:indicator_xlsx", kwargs={"key": key})
                        + f"?annee={year}"
                    ).content
                )
            )
            sheet = sheets.worksheets[0]
            columns = [cell.value for cell in sheet[1]]
            body = [[None if cell == "s" else cell for cell in row] for row in table_body(sheet)]
            reader.observatory_table(
                key, year, columns, table["row_keys"], body, "XLSX observatoire"
            )


@pytest.fixture
def seed(world):
    return Seed(world)


@pytest.mark.parametrize(
    "role",
    ["anonymous", "funder_instructor", "second_funder", "agency_staff", "organisation_admin"],
)
def test_no_hidden_count_comes_out_of_everything_a_user_sees(client, world, seed, role):
    reader = Reader(seed, truth(seed))
    if role == "second_funder":
        client.force_login(seed.second_funder)
    elif role != "anonymous":
        client.force_login(world.users[role])
    if role == "organisation_admin":
        # The staff know their own SIAE's people, every one of them.
        names = ["people", "entries", *PROFILE_KEYS, *(f"exit:{c}" for c in COUNTED), "trained"]
        names += [f"barrier:{b.slug}:{s}" for b in BarrierType.objects.all() for s in SUPPORTS]
        for year in seed.years:
            reader.known_unknowns |= reader.atoms(year, [seed.siaes[0].pk], None, names)
    read_everything(client, seed, reader, role_sees_insertion=role != "anonymous")
    assert reader.seen, "the reader saw nothing: the collection is broken"
    assert reader.recovered() == []
