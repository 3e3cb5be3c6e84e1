"""Personal details out of free text, each replaced by a typed placeholder such as ``[phone]``.

Stages run in an order where each one cannot see what an earlier one removed: e-mail addresses
before links (an address contains a domain), personal identity numbers before phone numbers
(``850709-9805`` is ten digits too), addresses after both, then @handles and the parent's own
names. Every pattern is linear (no nested repetition), so huge or odd input cannot stall it.
Numbers that only look like details survive: prices, years, weights, times, dates, durations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import phonenumbers
from personnummer import personnummer

PLACEHOLDERS = ("phone", "email", "personnummer", "address", "link", "handle", "name")

# The local part takes every character RFC 5322 allows unquoted, so none is left behind.
_LOCAL_PART = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL = re.compile(rf"(?<!{_LOCAL_PART}){_LOCAL_PART}+@[\w-]+(?:\.[\w-]+)*")

_URL_END = r"[^\s<>\"]*[^\s<>\".,;:!?)\]}'»]"
_LINK = re.compile(
    rf"(?:https?://|www\.|(?<![\w.])(?:t|telegram)\.me/){_URL_END}"
    # Bare domains, on the endings parents use; "nu" is left out: "bra.nu" is a typo more
    # often than a site.
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    rf"(?:se|com|org|net|eu|io|me|info|dk|no|fi|de|uk)(?![\w-])(?:/{_URL_END})?",
    re.IGNORECASE,
)

_PERSONNUMMER = re.compile(r"(?<![0-9])(?:[0-9]{2})?[0-9]{6}[-+ ]?[0-9]{4}(?![0-9])")

# Numbers the phonenumbers matcher does not call valid but which are still somebody's number:
# anything written with a leading + (international), and Swedish mobiles (07x) with any spacing.
_PLUS_NUMBER = re.compile(r"(?<![\w+])\+[0-9](?:[ ().-]{0,2}[0-9]){6,14}(?![0-9])")
_SWEDISH_MOBILE = re.compile(r"(?<![0-9])07[0-9](?:[ -]?[0-9]){7}(?![0-9])")

_STREET_SV = re.compile(
    r"\b\w{2,}?(?:gatan|gata|vägen|gränden|gränd|torget|torg|stigen|backen|allén|allé"
    r"|platsen|leden|stråket|kajen)\s+[0-9]{1,3}(?:[a-z](?!\w))?"
    r"(?:\s*,?\s*(?:lgh|lägenhet)\.?\s*[0-9]{3,4})?",
    re.IGNORECASE,
)
_STREET_EN = re.compile(
    # "12 Baker Street", "221B Baker St.", "4 Upper Park Road": capitalised names, any suffix;
    r"\b[0-9]{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Close|Court|Ct|Place|Pl|Gardens"
    r"|Crescent|Terrace|Grove|Square|Sq|Boulevard|Blvd|Row|Mews|Hill)\b\.?"
    # "12 baker street": typed in lower case, only with suffixes no ordinary phrase ends in.
    r"|\b[0-9]{1,4}[a-z]?\s+(?:[a-z][\w'-]*\s+){1,2}(?:street|road|avenue)\b"
)
_TOWN = r"\s+[A-ZÅÄÖ][a-zåäöéü]+(?:[ -][A-ZÅÄÖ][a-zåäöéü]+)?"
_POSTCODE = re.compile(
    # Swedish: "123 45" always; "12345" only before a town, or it would eat order numbers.
    rf"(?<![0-9])(?:SE-?\s?)?[1-9][0-9]{{2}}(?: [0-9]{{2}}(?![0-9])(?:{_TOWN})?|[0-9]{{2}}{_TOWN})"
    # British: "NW1 6XE".
    r"|\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"
)
_ADDRESS_RUN = re.compile(r"\[address\](?:[,\s]+\[address\])+")

_HANDLE = re.compile(r"(?<!\w)@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")

_NAME_PARTS = re.compile(r"[\s_.-]+")


def scrub(text: str, names: Sequence[str] = ()) -> str:
    """The text with personal details replaced by typed placeholders.

    ``names`` are the parent's own (Telegram first name, last name, username): each, and each
    part of it, is replaced wherever it stands as a whole word, in any case, also as a Swedish
    or English genitive ("Annas", "Anna's"). The text is NFKC-normalised first, so that
    full-width digits and look-alike letters cannot slip a number or a name past the patterns.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _EMAIL.sub("[email]", text)
    text = _LINK.sub("[link]", text)
    text = _PERSONNUMMER.sub(_personnummer, text)
    text = _phones(text)
    text = _STREET_SV.sub("[address]", text)
    text = _STREET_EN.sub("[address]", text)
    text = _POSTCODE.sub("[address]", text)
    text = _ADDRESS_RUN.sub("[address]", text)
    text = _HANDLE.sub("[handle]", text)
    pattern = _names_pattern(names)
    return pattern.sub("[name]", text) if pattern else text


def _personnummer(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) == 10 and found.startswith("07"):
        return found  # a Swedish mobile number: the phone stage names it as one
    return "[personnummer]" if personnummer.valid(found.replace(" ", "-")) else found


def _phones(text: str) -> str:
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "SE")]
    text = _replace_spans(text, spans, "[phone]")
    text = _PLUS_NUMBER.sub("[phone]", text)
    return _SWEDISH_MOBILE.sub("[phone]", text)


def _replace_spans(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> str:
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(text[position:start])
        out.append(placeholder)
        position = end
    out.append(text[position:])
    return "".join(out)


def _names_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    words: set[str] = set()
    for name in names:
        whole = unicodedata.normalize("NFKC", name).strip().lstrip("@")
        words.update(
            word
            for word in (whole, *_NAME_PARTS.split(whole))
            if len(word) >= 2 and any(char.isalpha() for char in word)
        )
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    # Not inside a word, nor inside a placeholder already written ("[phone]" for a Phone).
    return re.compile(rf"(?<![\w\[])(?:{alternatives})(?:s|['’]s)?(?![\w\]])", re.IGNORECASE)
