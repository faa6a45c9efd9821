"""Log formatters of LOGGING (settings): French level names, and a one-line variant without
traceback for records that need none (an unknown Host header)."""

import logging

LEVELS = {
    "DEBUG": "DÉBOGAGE",
    "INFO": "INFO",
    "WARNING": "ATTENTION",
    "ERROR": "ERREUR",
    "CRITICAL": "CRITIQUE",
}


class FrenchFormatter(logging.Formatter):
    """`%(niveau)s`: the level's French name."""

    def format(self, record: logging.LogRecord) -> str:
        record.niveau = LEVELS.get(record.levelname, record.levelname)
        return super().format(record)


class OneLineFormatter(FrenchFormatter):
    """The message on one line: no traceback, line breaks written « ⏎ »."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.exc_info = record.exc_text = record.stack_info = None
        return super().format(record).replace("\r\n", " ⏎ ").replace("\n", " ⏎ ")
