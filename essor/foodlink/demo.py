"""Demo data of the foodlink module (filled in below)."""


def load(ctx) -> str:
    return "Circuits courts : rien."


def remove() -> None:
    pass
