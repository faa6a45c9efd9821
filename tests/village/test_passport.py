"""The « passeport des solidarités »: signed stand tokens, stamps once per stand, the question,
the kiosk, the auditable draw and the erasure of its contacts."""

import datetime
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.signing import TimestampSigner
from django.urls import reverse
from django.utils import timezone

from essor.core.models import AuditLogEntry
from essor.village import services, stamps
from essor.village.models import DrawEntry, ExhibitorApplication, Passport, Question, Stamp
from tests.village.factories import ApplicationFactory, EditionFactory, StandFactory, ZoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    today = timezone.localdate()
    return EditionFactory(
        name="Village des solidarités",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=1),
        call_closes_on=today - datetime.timedelta(days=20),
    )


@pytest.fixture
def stand(edition):
    stand = StandFactory(zone=ZoneFactory(edition=edition, name="Réemploi"), number=12)
    services.key_of(stand)
    return stand


@pytest.fixture
def question(stand):
    return Question.objects.create(
        stand=stand,
        text="Que devient un vélo déposé à la ressourcerie ?",
        choice_1="Il est jeté",
        choice_2="Il est réparé et revendu",
        correct=2,
        explanation="Neuf vélos sur dix repartent après réparation.",
    )


def _stamp(passport, stand, token=None, answer=None):
    return services.stamp(
        passport=passport,
        stand=stand,
        token=token or stamps.rotating_token(stand),
        answer=answer,
    )


def test_a_passport_is_stamped_once_per_stand(edition, stand):
    passport = services.new_passport(edition=edition)
    _stamp(passport, stand)
    with pytest.raises(ValidationError, match="porte déjà le tampon de ce stand"):
        _stamp(passport, stand)
    assert Stamp.objects.count() == 1


def test_the_answer_is_recorded_with_whether_it_was_right(edition, stand, question):
    passport = services.new_passport(edition=edition)
    stamp = _stamp(passport, stand, answer=1)
    assert (stamp.answer, stamp.is_right) == (1, False)


def test_a_forged_token_stamps_nothing(edition, stand):
    passport = services.new_passport(edition=edition)
    forged = TimestampSigner(key="pas-la-bonne-cle", salt="x").sign(f"{stand.pk}.r")
    with pytest.raises(ValidationError, match="n'est pas celui de ce stand"):
        _stamp(passport, stand, token=forged)
    assert not Stamp.objects.exists()


def test_a_token_of_another_stand_stamps_nothing(edition, stand):
    other = StandFactory(zone=stand.zone, number=13)
    services.key_of(other)
    passport = services.new_passport(edition=edition)
    with pytest.raises(ValidationError, match="n'est pas celui de ce stand"):
        _stamp(passport, stand, token=stamps.rotating_token(other))


def test_a_screen_token_expires_after_its_window(edition, stand, monkeypatch):
    passport = services.new_passport(edition=edition)
    signed_at = timezone.now().timestamp() - stamps.ROTATING_WINDOW - stamps.ANSWER_GRACE - 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: signed_at)
    old = stamps.rotating_token(stand)
    monkeypatch.undo()
    with pytest.raises(ValidationError, match="Ce QR code a expiré"):
        _stamp(passport, stand, token=old)


def test_a_printed_token_stamps_on_its_day_only(edition, stand):
    passport = services.new_passport(edition=edition)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="valait pour un autre jour"):
        _stamp(passport, stand, token=stamps.day_token(stand, yesterday))
    _stamp(passport, stand, token=stamps.day_token(stand, timezone.localdate()))
    assert passport.stamps.count() == 1


def test_a_stand_of_another_edition_stamps_nothing(edition, stand):
    last_year = EditionFactory(
        starts_on=datetime.date(2025, 6, 14),
        ends_on=datetime.date(2025, 6, 15),
        call_closes_on=datetime.date(2025, 5, 1),
        name="Village 2025",
    )
    old_stand = StandFactory(zone=ZoneFactory(edition=last_year))
    services.key_of(old_stand)
    passport = services.new_passport(edition=edition)
    with pytest.raises(
        ValidationError, match="celui d'une autre édition du Village \\(Village 2025\\)"
    ):
        _stamp(passport, old_stand)


def test_renewing_a_stands_keys_revokes_its_codes_and_its_kiosk_link(client, world, edition, stand):
    passport = services.new_passport(edition=edition)
    token = stamps.rotating_token(stand)
    old_kiosk = stand.key.kiosk_key
    services.renew_stand_keys(stand=stand, actor=world.users["agency_staff"])
    stand.refresh_from_db()
    with pytest.raises(ValidationError, match="il a peut-être été renouvelé"):
        _stamp(passport, stand, token=token)
    assert client.get(reverse("village:kiosk", args=[old_kiosk])).status_code == 404


def test_no_passport_outside_the_villages_days(world):
    later = EditionFactory(
        starts_on=timezone.localdate() + datetime.timedelta(days=10),
        ends_on=timezone.localdate() + datetime.timedelta(days=11),
        call_closes_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="n'est pas ouvert aujourd'hui"):
        services.new_passport(edition=later)


def test_a_passport_is_found_again_with_its_code_typed_loosely(edition):
    passport = services.new_passport(edition=edition)
    typed = f" {passport.code[:4].lower()}-{passport.code[4:]} "
    assert services.find_passport(edition=edition, code=typed) == passport


def test_a_visitor_gets_a_passport_then_stamps_by_scanning_without_javascript(
    client, edition, stand, question
):
    url = reverse("village:stamp", args=[stand.pk, stamps.rotating_token(stand)])
    first = client.get(url).content.decode()
    assert "Obtenir mon passeport" in first

    response = client.post(reverse("village:passport"), {"action": "new", "next": url})
    assert response["Location"] == url
    asked = client.get(url).content.decode()
    assert "Que devient un vélo déposé à la ressourcerie ?" in asked

    done = client.post(url, {"answer": "1"}).content.decode()
    assert "La réponse était : <strong>Il est réparé et revendu</strong>." in done
    assert "Neuf vélos sur dix" in done
    assert Passport.objects.get().stamps.count() == 1


def test_the_stamp_page_weighs_less_than_30_kb_with_its_style_sheet(
    client, edition, stand, question
):
    from django.contrib.staticfiles import finders

    client.post(reverse("village:passport"), {"action": "new"})
    html = client.get(reverse("village:stamp", args=[stand.pk, stamps.rotating_token(stand)]))
    css = [
        finders.find(path.removeprefix("/static/"))
        for path in re.findall(r'href="(/static/[^"]+\.css)"', html.content.decode())
    ]
    total = len(html.content) + sum(len(open(path, "rb").read()) for path in css)  # noqa: SIM115
    assert css and total < 30_000


def test_the_kiosk_shows_a_fresh_qr_code_and_reloads_itself(client, stand):
    body = client.get(reverse("village:kiosk", args=[stand.key.kiosk_key])).content.decode()
    assert '<meta http-equiv="refresh" content="30">' in body
    assert "<svg" in body and "QR code du stand 12" in body


def test_entering_the_draw_needs_the_stamps_a_contact_and_consent(edition, stand):
    draw = services.draw_of(edition)
    draw.stamps_needed = 1
    draw.save()
    passport = services.new_passport(edition=edition)
    with pytest.raises(ValidationError, match="Il faut 1 tampons pour participer"):
        services.enter_draw(
            passport=passport, first_name="Léa", contact="lea@example.org", consent=True
        )
    _stamp(passport, stand)
    with pytest.raises(ValidationError) as error:
        services.enter_draw(
            passport=passport, first_name="", contact="pas un contact", consent=False
        )
    assert set(error.value.message_dict) == {"first_name", "contact", "consent"}
    services.enter_draw(passport=passport, first_name="Léa", contact="06 12 34 56 78", consent=True)
    assert DrawEntry.objects.get().contact == "06 12 34 56 78"


def test_the_draw_can_be_recomputed_by_anyone_from_the_published_seed(
    client, world, edition, stand
):
    draw = services.draw_of(edition)
    draw.stamps_needed, draw.prizes = 1, 2
    draw.save()
    codes = []
    for name in ("Ana", "Bo", "Chloé", "Driss"):
        passport = services.new_passport(edition=edition)
        _stamp(passport, stand)
        services.enter_draw(
            passport=passport, first_name=name, contact="a@example.org", consent=True
        )
        codes.append(passport.code)

    services.freeze_entries(edition=edition, actor=world.users["agency_staff"])
    before = client.get(reverse("village:draw")).content.decode()
    draw.refresh_from_db()
    assert draw.seed_hash in before and draw.seed not in before
    services.run_draw(edition=edition, actor=world.users["agency_staff"])
    after = client.get(reverse("village:draw")).content.decode()

    seed = re.search(r"Graine : <code class=\"hash\">([0-9a-f]{64})</code>", after).group(1)
    assert hashlib.sha256(seed.encode()).hexdigest() == draw.seed_hash
    recomputed = sorted(codes, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
    draw.refresh_from_db()
    assert draw.winners == recomputed[:2]
    with pytest.raises(ValidationError, match="a déjà eu lieu"):
        services.run_draw(edition=edition, actor=world.users["agency_staff"])


def test_checking_a_winner_at_the_information_stand_is_logged(world, edition, stand):
    draw = services.draw_of(edition)
    draw.stamps_needed, draw.prizes = 1, 1
    draw.save()
    passport = services.new_passport(edition=edition)
    _stamp(passport, stand)
    services.enter_draw(
        passport=passport, first_name="Léa", contact="lea@example.org", consent=True
    )
    services.freeze_entries(edition=edition, actor=world.users["agency_staff"])
    services.run_draw(edition=edition, actor=world.users["agency_staff"])

    entry = services.winner_details(
        edition=edition, code=passport.display_code, actor=world.users["agency_staff"]
    )

    assert entry.first_name == "Léa"
    assert AuditLogEntry.objects.filter(action="village.draw.read_winner").count() == 1


def test_draw_contacts_are_erased_some_days_after_the_event(settings, edition, stand):
    settings.ESSOR_VILLAGE_DRAW_KEEP_DAYS = 30
    draw = services.draw_of(edition)
    draw.stamps_needed = 1
    draw.save()
    passport = services.new_passport(edition=edition)
    _stamp(passport, stand)
    services.enter_draw(
        passport=passport, first_name="Léa", contact="lea@example.org", consent=True
    )

    assert services.erase_draw_entries(today=edition.ends_on + datetime.timedelta(days=30)) == 0
    call_command("village_erase_draw_entries", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert services.erase_draw_entries(today=edition.ends_on + datetime.timedelta(days=31)) == 1
    entry = DrawEntry.objects.get()
    assert (entry.first_name, entry.contact) == ("", "")


def test_the_exhibitor_holding_the_stand_writes_its_question(client, world, edition, stand):
    application = ApplicationFactory(
        edition=edition, organisation=world.structure, status=ExhibitorApplication.Status.CONFIRMED
    )
    application.stand = stand
    application.save(update_fields=["stand"])
    url = reverse("village:question_edit", args=[stand.pk])
    client.force_login(world.users["organisation_admin"])

    client.post(
        url,
        {
            "text": "Combien de vélos réparons-nous par an ?",
            "choice_1": "100",
            "choice_2": "1 000",
            "correct": "2",
            "explanation": "",
        },
    )

    assert stand.question.correct == 2
    client.force_login(world.users["organisation_member"])
    assert client.get(url).status_code == 403


def test_a_question_whose_right_answer_is_not_offered_is_refused(client, world, stand):
    client.force_login(world.users["agency_staff"])
    response = client.post(
        reverse("village:question_edit", args=[stand.pk]),
        {"text": "Q ?", "choice_1": "a", "choice_2": "b", "choice_3": "", "correct": "3"},
    )
    assert (
        "La bonne réponse doit être l&#x27;une des réponses proposées." in response.content.decode()
    )


@pytest.mark.parametrize("target", ["https://ailleurs.example/", "//ailleurs.example/", "home"])
def test_after_making_a_passport_the_visitor_stays_on_this_site(client, edition, target):
    response = client.post(reverse("village:passport"), {"action": "new", "next": target})
    assert response["Location"] == reverse("village:passport")


def test_the_question_page_reads_the_database_a_few_times_whatever_the_passport_holds(
    client, edition, stand, question
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(reverse("village:passport"), {"action": "new"})
    passport = Passport.objects.get()
    url = reverse("village:stamp", args=[stand.pk, stamps.rotating_token(stand)])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(20, 30):
        other = StandFactory(zone=stand.zone, number=number)
        services.key_of(other)
        _stamp(passport, other)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few) <= 6


def test_the_printed_sheets_start_with_the_entrance_code_then_one_per_stand(edition, stand):
    from django.template.loader import render_to_string

    from essor.village.views_passport import day_codes_context

    html = render_to_string(
        "village/pdf/day_codes.html", day_codes_context(edition, timezone.localdate())
    )

    assert html.index("QR code du passeport") < html.index("QR code du stand 12")
