"""Demo commands on a database without demo data (kept apart from the module that loads it once)."""

from io import StringIO

import pytest
from django.core.management import call_command

from essor.directory.models import Organisation


@pytest.mark.django_db
def test_demo_accounts_without_demo_data_says_how_to_load_it():
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "load_demo" in out.getvalue()


@pytest.mark.django_db
def test_if_empty_loads_into_an_empty_database():
    call_command("load_demo", if_empty=True, seed=5, stdout=StringIO(), stderr=StringIO())
    # 300 structures and the agency (modules add non-ESS organisations such as farms)
    assert Organisation.objects.filter(is_demo=True, is_ess=True).count() == 301
