"""`--consumer FILE`: a Pact or a HAR file, recognised by its content, never by its name."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sequence_contract.upgrade.consumers.har import HarError, is_har, read_har
from sequence_contract.upgrade.consumers.model import ConsumerFile, ConsumerFileError
from sequence_contract.upgrade.consumers.pact import PactError, is_pact, read_pact


def read_consumers(paths: Sequence[Path]) -> tuple[ConsumerFile, ...]:
    """Every file read, or a ConsumerFileError with one line per file that cannot be."""
    files: list[ConsumerFile] = []
    problems: list[str] = []
    for path in paths:
        try:
            files.append(read_consumer(path))
        except ConsumerFileError as exc:
            problems += exc.problems
    if problems:
        raise ConsumerFileError(problems)
    return tuple(files)


def read_consumer(path: Path) -> ConsumerFile:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConsumerFileError(
            [f"--consumer {name}: cannot read: {exc.strerror or exc}"]
        ) from None
    except UnicodeDecodeError:
        raise ConsumerFileError([f"--consumer {name}: not UTF-8 text"]) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConsumerFileError([f"--consumer {name}: not JSON: {exc}"]) from None
    try:
        if is_har(data):
            label, interactions, notes = read_har(data, name)
            return ConsumerFile(name, label, tuple(interactions), tuple(notes))
        if is_pact(data):
            label, interactions = read_pact(data, name)
            return ConsumerFile(name, label, tuple(interactions))
    except (HarError, PactError) as exc:
        raise ConsumerFileError([f"--consumer {name}: {exc}"]) from None
    raise ConsumerFileError(
        [f"--consumer {name}: neither a Pact file ('interactions') nor a HAR file ('log')"]
    )
