"""Two (or twenty) people doing the same thing at the same moment, for concurrency tests.

Each function runs in its own thread, hence its own database connection, and they all start
together (a barrier). Use with `pytest.mark.django_db(transaction=True)`: the threads must see
committed data. The SQLite test database is a file, so a second writer waits for the lock as in
production (IMMEDIATE transactions), and PostgreSQL waits on the row lock.
"""

import threading

from django.db import connection

OK = "ok"


def run_together(*functions, expected=(Exception,)) -> list:
    """Runs the functions at the same moment; returns, in order, "ok" or the exception raised
    (one of `expected`; any other one fails the test)."""
    barrier = threading.Barrier(len(functions))
    outcomes: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            function()
            outcomes[index] = OK
        except expected as error:
            outcomes[index] = error
        except BaseException as error:  # surfaced below, in the test's own thread
            outcomes[index] = AssertionError(f"Erreur inattendue : {error!r}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    unexpected = [outcome for outcome in outcomes if isinstance(outcome, AssertionError)]
    if unexpected:
        raise unexpected[0]
    return outcomes
