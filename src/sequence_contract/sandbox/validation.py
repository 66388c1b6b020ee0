"""Reading typed fields out of a parsed JSON body, collecting every problem by field path.

Each reader returns the value, or None when the field is absent or invalid; a problem is
recorded for the invalid ones so that one 400 lists every bad field.
"""

from collections.abc import Collection
from typing import Any

from sequence_contract.sandbox.errors import Problem, validation_failed

REQUIRED = "required"
INVALID_TYPE = "invalidType"
INVALID_VALUE = "invalidValue"

JsonObject = dict[str, Any]


def join(path: str, name: str | int) -> str:
    return f"{path}.{name}" if path else str(name)


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def is_storable_text(text: str) -> bool:
    """False for strings with unpaired surrogates (valid JSON escapes, invalid Unicode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Checker:
    """Collects problems while reading fields; `raise_if_any` ends with one 400."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, key: str | None, code: str, message: str) -> None:
        self.problems.append(Problem(code, message, key))

    def raise_if_any(self) -> None:
        if self.problems:
            raise validation_failed(self.problems)

    def _present(self, obj: JsonObject, name: str, path: str, required: bool) -> bool:
        if name in obj:
            return True
        if required:
            self.report(join(path, name), REQUIRED, "is required")
        return False

    def _wrong_type(self, key: str, expected: str, value: object) -> None:
        self.report(key, INVALID_TYPE, f"must be {expected}, not {_type_name(value)}")

    def text(self, value: object, key: str) -> str | None:
        """`value` itself as a string (for array items and map values)."""
        if not isinstance(value, str):
            self._wrong_type(key, "a string", value)
            return None
        if not is_storable_text(value):
            self.report(key, INVALID_VALUE, "contains an unpaired Unicode surrogate")
            return None
        return value

    def string(
        self, obj: JsonObject, name: str, path: str, *, required: bool = False
    ) -> str | None:
        if not self._present(obj, name, path, required):
            return None
        return self.text(obj[name], join(path, name))

    def identifier(
        self, obj: JsonObject, name: str, path: str, *, required: bool = False
    ) -> str | None:
        """A string id: any non-empty text (the docs give ids no format)."""
        text = self.string(obj, name, path, required=required)
        if text == "":
            self.report(join(path, name), INVALID_VALUE, "must not be empty")
            return None
        return text

    def choice(
        self,
        obj: JsonObject,
        name: str,
        path: str,
        allowed: Collection[str],
        *,
        required: bool = False,
        describe: str | None = None,
    ) -> str | None:
        if not self._present(obj, name, path, required):
            return None
        return self.choice_value(obj[name], join(path, name), allowed, describe)

    def choice_value(
        self, value: object, key: str, allowed: Collection[str], describe: str | None = None
    ) -> str | None:
        text = self.text(value, key)
        if text is None:
            return None
        if text not in allowed:
            expected = describe or "one of " + ", ".join(sorted(allowed))
            self.report(key, INVALID_VALUE, f"must be {expected}")
            return None
        return text

    def mapping(
        self, obj: JsonObject, name: str, path: str, *, required: bool = False
    ) -> JsonObject | None:
        if not self._present(obj, name, path, required):
            return None
        return self.object_value(obj[name], join(path, name))

    def object_value(self, value: object, key: str) -> JsonObject | None:
        if not isinstance(value, dict):
            self._wrong_type(key, "an object", value)
            return None
        return value

    def array(
        self, obj: JsonObject, name: str, path: str, *, required: bool = False
    ) -> list[Any] | None:
        if not self._present(obj, name, path, required):
            return None
        value = obj[name]
        if not isinstance(value, list):
            self._wrong_type(join(path, name), "an array", value)
            return None
        return value

    def string_list(self, obj: JsonObject, name: str, path: str) -> tuple[str, ...] | None:
        items = self.array(obj, name, path)
        if items is None:
            return None
        texts = [self.text(item, join(join(path, name), i)) for i, item in enumerate(items)]
        return tuple(t for t in texts if t is not None)

    def string_map(self, obj: JsonObject, name: str, path: str) -> dict[str, str] | None:
        mapping = self.mapping(obj, name, path)
        if mapping is None:
            return None
        key = join(path, name)
        result: dict[str, str] = {}
        for entry, value in mapping.items():
            if not is_storable_text(entry):
                self.report(key, INVALID_VALUE, "has a key with an unpaired Unicode surrogate")
                continue
            text = self.text(value, join(key, entry))
            if text is not None:
                result[entry] = text
        return result
