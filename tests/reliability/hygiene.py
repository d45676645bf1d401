"""Secret hygiene: gather every text a user may see or log, and look for the known secrets in it."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable

from tests.helpers.vendors import find_secrets

from .report import REPORT


def exception_texts(exc: BaseException) -> list[str]:
    """str, repr, the formatted traceback (chained exceptions included) and the attributes' reprs."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return texts


def log_texts(records: Iterable[logging.LogRecord]) -> list[str]:
    """Each record as a handler would write it (message, arguments, exception text)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts = []
    for record in records:
        texts.append(formatter.format(record))
        texts.append(repr(record.args))
    return texts


def scan(where: str, texts: Iterable[str]) -> list[str]:
    """Every known secret found in ``texts`` (as ``where: secret``); recorded in the report."""
    materialised = list(texts)
    found = [f"{where}: {secret}" for text in materialised for secret in find_secrets(text)]
    REPORT.secrets(len(materialised), found)
    return found
