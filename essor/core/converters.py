"""Path converters shared by every module's URLs (registered in CoreConfig.ready)."""


class YearConverter:
    """A year in a URL: four digits from 1000 to 2999. Anything else is a 404 before the view
    builds a date from it (year 0, or a number too large for `datetime.date`)."""

    regex = "[12][0-9]{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"
