"""Clinic configuration: help numbers, clinics and the way to MIP, read from a TOML file.

Each clinic may list its own MIP contact (a unit that offers MIP, with name, phone, web and
how to book, in each language); a clinic without one gives the country's route to MIP (in
Sweden: ask the BVC nurse, the BVC psychologist or 1177, and about a referral).
"""

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
class MipContact:
    """Where a clinic's parents reach MIP: a unit's name, its phone and web page, how to book."""

    name: dict[Language, str]
    phone: str
    web: str
    booking: dict[Language, str]

    def text(self, lang: Language) -> str:
        """One line: "Name: phone, web. How to book." (phone or web may be absent)."""
        reach = ", ".join(part for part in (self.phone, self.web) if part)
        return f"{self.name[lang]}: {reach}. {self.booking[lang]}".strip()


@dataclass(frozen=True, slots=True)
class Clinic:
    code: str
    name: dict[Language, str]  # as it starts a line: "Your child health centre (BVC)"
    phone: dict[Language, str]  # a number, or words on how to find it
    contact: dict[Language, str]  # how to contact or book it, in a sentence or two
    mip: MipContact | None = None  # its own MIP contact, if it has one


@dataclass(frozen=True, slots=True)
class ClinicConfig:
    country: dict[Language, str]
    emergency: str
    health_line: str
    suicide_line: str
    suicide_line_name: dict[Language, str]
    mip_route: dict[Language, str]  # how to reach MIP where a clinic lists no contact of its own
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
            "clinic_phone": clinic.phone[lang],
            "clinic_contact": clinic.contact[lang],
            "mip_contact": clinic.mip.text(lang) if clinic.mip else self.mip_route[lang],
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


def _optional(raw: dict[str, Any], field: str, where: str) -> str:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise ClinicConfigError(f"{where}: '{field}' must be a text")
    return value.strip()


def _mip_contact(raw: object, where: str) -> MipContact | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ClinicConfigError(f"{where} must be a table")
    contact = MipContact(
        name=_by_language(raw, "name", where),
        phone=_optional(raw, "phone", where),
        web=_optional(raw, "web", where),
        booking=_by_language(raw, "booking", where),
    )
    if not contact.phone and not contact.web:
        raise ClinicConfigError(f"{where}: a 'phone' or a 'web' address is needed")
    return contact


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
        if not isinstance(table.get("phone"), dict):
            _text(table, "phone", where)
        clinics[code] = Clinic(
            code=code,
            name=_by_language(table, "name", where),
            phone=_by_language(table, "phone", where),
            contact=_by_language(table, "contact", where),
            mip=_mip_contact(table.get("mip"), f"[clinics.{code}.mip]"),
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
        mip_route=_by_language(country, "mip_route", "[country]"),
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
