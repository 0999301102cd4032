"""hello-ferry: prints a greeting that shows both dependencies were installed and import."""

from __future__ import annotations

import certifi
import idna

__version__ = "0.1.0"

# "Fähre" is German for "ferry"; IDNA turns the name into what DNS actually carries.
HOST = "fähre.example"


def greeting() -> str:
    wire = idna.encode(HOST).decode("ascii")
    return (
        f"Hello from ferry! {HOST} travels as {wire}, "
        f"and TLS roots come from {certifi.where()}."
    )


def main() -> None:
    print(greeting())  # noqa: T201 - printing is this example's whole job
