"""The WSGI entry point used in production (gunicorn essor.wsgi:application)."""

import gc
import importlib


def test_the_wsgi_entry_freezes_what_start_up_created():
    gc.unfreeze()
    import essor.wsgi

    try:
        importlib.reload(essor.wsgi)
        assert callable(essor.wsgi.application)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
