"""Clinic configuration: help numbers and clinics, read from a TOML file, never from code."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from flows.model import LANGUAGES, Language

CLINIC_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


class ClinicConfigError(ValueError):
    """The clinic configuration file is missing something or malformed."""


@dataclass(frozen=True, slots=True)
class Clinic:
    code: str
    name: dict[Language, str]
    phone: str
    contact: dict[Language, str]


@dataclass(frozen=True, slots=True)
class ClinicConfig:
    country: dict[Language, str]
    emergency: str
    health_line: str
    suicide_line: str
    suicide_line_name: dict[Language, str]
    clinics: dict[str, Clinic]
    default_clinic: str

    def clinic_code(self, requested: str) -> str:
        """The code to tag an intake with: a known clinic's, else the default.

        A deep link's payload is typed by anyone, so only configured codes are kept: an
        arbitrary payload could otherwise smuggle a name or a number into the records.
        """
        return requested if requested in self.clinics else self.default_clinic

    def values(self, lang: Language, clinic_code: str) -> dict[str, str]:
        """Placeholders for texts that name help lines or the clinic."""
        clinic = self.clinics[self.clinic_code(clinic_code)]
        return {
            "emergency": self.emergency,
            "health_line": self.health_line,
            "suicide_line": self.suicide_line,
            "suicide_line_name": self.suicide_line_name[lang],
            "country": self.country[lang],
            "clinic_name": clinic.name[lang],
            "clinic_phone": clinic.phone,
            "clinic_contact": clinic.contact[lang],
        }


def _by_language(raw: dict[str, Any], field: str, where: str) -> dict[Language, str]:
    value = raw.get(field)
    if isinstance(value, str):
        return dict.fromkeys(LANGUAGES, value)
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str) for lang in LANGUAGES
    ):
        raise ClinicConfigError(
            f"{where}: '{field}' needs a text for each of {', '.join(LANGUAGES)}"
        )
    return {lang: value[lang] for lang in LANGUAGES}


def _text(raw: dict[str, Any], field: str, where: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ClinicConfigError(f"{where}: '{field}' is missing or empty")
    return value


def parse_clinic_config(raw: dict[str, Any]) -> ClinicConfig:
    country = raw.get("country")
    if not isinstance(country, dict):
        raise ClinicConfigError("the [country] table is missing")
    clinics_raw = raw.get("clinics")
    if not isinstance(clinics_raw, dict) or not clinics_raw:
        raise ClinicConfigError("at least one [clinics.<code>] table is needed")
    clinics: dict[str, Clinic] = {}
    for code, table in clinics_raw.items():
        where = f"[clinics.{code}]"
        if not CLINIC_CODE.fullmatch(code):
            raise ClinicConfigError(f"{where}: a code is letters, digits, - and _ (at most 32)")
        if not isinstance(table, dict):
            raise ClinicConfigError(f"{where} must be a table")
        clinics[code] = Clinic(
            code=code,
            name=_by_language(table, "name", where),
            phone=_text(table, "phone", where),
            contact=_by_language(table, "contact", where),
        )
    default = raw.get("default_clinic", next(iter(clinics)))
    if default not in clinics:
        raise ClinicConfigError(f"default_clinic '{default}' is not one of the [clinics.*] tables")
    return ClinicConfig(
        country=_by_language(country, "name", "[country]"),
        emergency=_text(country, "emergency", "[country]"),
        health_line=_text(country, "health_line", "[country]"),
        suicide_line=_text(country, "suicide_line", "[country]"),
        suicide_line_name=_by_language(country, "suicide_line_name", "[country]"),
        clinics=clinics,
        default_clinic=default,
    )


def load_clinic_config(path: str | Path | None = None) -> ClinicConfig:
    """Read a clinic configuration file; without a path, the shipped Swedish example."""
    try:
        if path is None:
            text = resources.files("flows").joinpath("clinics", "sweden.toml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return parse_clinic_config(tomllib.loads(text))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ClinicConfigError(f"cannot read the clinic configuration {path}: {error}") from error
