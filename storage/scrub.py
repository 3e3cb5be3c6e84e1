"""Personal details out of free text, each replaced by a typed placeholder such as ``[phone]``.

Stages run in an order where each one cannot see what an earlier one removed: e-mail addresses
before links (an address contains a domain), the parent's Telegram id and username before any
number or word pattern, personal identity numbers before phone numbers (``850709-9805`` is ten
digits too), dates and addresses after both, then handles and people's names (``storage.names``).
Every pattern is linear (no nested repetition), so huge or odd input cannot stall it. Numbers
that only look like details survive: prices, years, weights, clock times, durations, ages, weeks,
order numbers; so do months and years without a day.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import phonenumbers

from storage.names import WORD, fold, name_spans

PLACEHOLDERS = ("phone", "email", "personnummer", "address", "link", "handle", "name", "date", "id")

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

# A personal identity or coordination number by its shape, whatever its check digit: a date of
# birth (the day plus 60 for a coordination number), a separator or none, four digits (or a mask).
_MONTH = r"(?:0[1-9]|1[0-2])"
_PNR_DAY = r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
_PERSONNUMMER = re.compile(
    rf"(?<![0-9])(?:1[89]|20)?[0-9]{{2}}{_MONTH}{_PNR_DAY}"
    r"(?:[ ]?[-+][ ]?|[ ])?(?:[0-9]{4}(?![0-9])|[xX*]{4}(?!\w))"
)

# Numbers the phonenumbers matcher does not call valid but which are still somebody's number:
# anything written with a leading + (international), and Swedish mobiles (07x) with any spacing.
_PLUS_NUMBER = re.compile(r"(?<![\w+])\+[0-9](?:[ ().-]{0,2}[0-9]){6,14}(?![0-9])")
_SWEDISH_MOBILE = re.compile(r"(?<![0-9])07[0-9](?:[ -]?[0-9]){7}(?![0-9])")
# British numbers have eleven digits from a leading 0 ("07700 900123", "020 7946 0958"), which no
# Swedish number has; American ones are written "(415) 555-2671".
_UK_NUMBER = re.compile(r"(?<![0-9])0[1-9](?:[ -]?[0-9]){9}(?![0-9])")
_US_NUMBER = re.compile(r"\([2-9][0-9]{2}\) ?[0-9]{3}[ -][0-9]{4}(?![0-9])")

_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th|:e|:a|e|a)?"
_MONTH_NAME = (
    r"(?:jan(?:uari|uary)?|feb(?:ruari|ruary)?|mar(?:s|ch)?|apr(?:il)?|maj|may|jun[ie]?|jul[iy]?"
    r"|aug(?:usti|ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})"
_DATES = re.compile(
    # "12 mars", "3rd of June 2024", "5 jan -24", "23:e augusti 2023"
    rf"(?<![\w.,/-]){_DAY}{_ORDINAL}\.?\s+(?:of\s+)?(?i:{_MONTH_NAME})\b\.?"
    rf"(?:,?\s+{_YEAR}(?![0-9])|\s?[-']\s?[0-9]{{2}}(?![0-9]))?"
    # "March 12th", "October 7, 2024", "Jan 1st": an English month first (capitalised "May")
    rf"|\b(?:[A-Z](?i:{_MONTH_NAME})|(?!may)(?i:{_MONTH_NAME}))\.?\s+{_DAY}{_ORDINAL}(?![\w:.,]?[0-9])"
    rf"(?:,?\s+{_YEAR}(?![0-9]))?"
    # "2025-03-12", "2024.10.05"
    rf"|(?<![0-9]){_YEAR}([-./])(?:0?[1-9]|1[0-2])\1{_DAY}(?![0-9])"
    # "12/03/2025", "15/7/24", "12.03.2025", "12-03-2025", "3/12 2023", "2/3 -25"
    rf"|(?<![0-9./-]){_DAY}(?:/(?:0?[1-9]|1[0-2])(?:/(?:{_YEAR}|[0-9]{{2}})|\s?-\s?[0-9]{{2}}|\s{_YEAR})"
    rf"|\.(?:0?[1-9]|1[0-2])\.(?:{_YEAR}|[0-9]{{2}})|-(?:0?[1-9]|1[0-2])-{_YEAR})(?![0-9]|[./][0-9])"
)
# What a number after a street word may not be followed by: "vägen 3 km", "lekparken 2 gånger".
_UNITS = (
    r"(?:min|minuter|minuters|tim|timmar|timme|h|km|m|mil|meter|gånger|ggr|gång|dag|dagar|v|vecka"
    r"|veckor|mån|månad|månader|år|st|kr|kronor|kg|g|times|hours?|mins?|minutes?|days?|weeks?"
    r"|months?|years?|miles?|metres?|meters?|yards?)"
)
# A house number, a house letter ("12B", "12 B") and what may follow it: floor, flat, stairway
# ("2 tr", "lgh 1102", "uppgång B").
_HOUSE = (
    rf"[0-9]{{1,3}}(?:-[0-9]{{1,3}})?(?![0-9])(?!\s*{_UNITS}\b)(?:[A-Za-z](?!\w)|\s[A-H](?!\w))?"
    r"(?:\s*(?:,\s*)?(?:(?:lgh|lägenhet(?:snummer)?)\.?\s?(?:nr\.?\s?)?[0-9]{3,4}(?![0-9])"
    r"|[0-9]{1,2}\s?(?:tr|trappor|trappa)\b\.?|(?:uppgång|port|ingång)\s[A-Z0-9](?!\w)))*"
)
_CAPITAL = "A-ZÅÄÖÆØÉÜ"
_STREET_SV = re.compile(
    # Swedish, Danish and Norwegian street words that are nothing else, in any case:
    # "Storgatan 12", "björkvägen 3a", "Lärksvängen 8", "Nørregade 4", "Kirkeveien 9".
    r"\b\w{2,}?(?:gatan|gata|gränden|gränd|vägen|torget|torg|stigen|backen|allén|allé|platsen"
    r"|leden|stråket|kajen|svängen|slingan|gårdarna|gade|gaden|vejen|veien|stræde|strædet|plads"
    rf"|pladsen|plass|plassen|torvet)\s+{_HOUSE}"
    # ... and endings that are also ordinary words or English ones, only capitalised:
    # "Karlaplan 10", "Solparken 12 C", "Björkbacke 3", "Ekgården 4", "Bogstadveien".
    rf"|\b[{_CAPITAL}]\w*?(?:backe|väg|plan|park|parken|gård|gården|ringen|liden|lunden|höjden"
    rf"|hagen|kroken|bron|gången|vallen|udden|holmen|hamnen|vej|vei|veg|vegen|gate|gaten|torv)"
    rf"\s+{_HOUSE}"
    # ... and street words standing apart after capitalised names: "Gamla vägen 3", "Kungs allé
    # 4", "Drottning Kristinas väg 44", "Thorvald Meyers gate 12".
    rf"|\b[{_CAPITAL}][\w'-]*(?:\s+[{_CAPITAL}][\w'-]*){{0,2}}\s+(?:allé|backe|backar|väg|vägen"
    rf"|gata|gatan|gränd|torg|plan|park|stig|gård|gate|gade|vej|vei|veien|plass|plads|torv"
    rf"|stræde)\s+{_HOUSE}"
    # ... and a flat number alone: "lgh 1102".
    r"|\b(?:lgh|lägenhet(?:snummer)?)\.?\s?(?:nr\.?\s?)?[0-9]{4}(?![0-9])"
)
_STREET_EN = re.compile(
    # "12 Baker Street", "221B Baker St.", "4 Upper Park Road": capitalised names, any suffix;
    r"\b[0-9]{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Close|Court|Ct|Place|Pl|Gardens"
    r"|Crescent|Terrace|Grove|Square|Sq|Boulevard|Blvd|Row|Mews|Hill|Park|Rise|View|Walk|Parade"
    r"|Green|Meadows?|Vale|Wharf|Quay|Lodge|Cottages?|Gate|Croft|Chase)\b\.?"
    # "12 baker street": typed in lower case, only with suffixes no ordinary phrase ends in.
    r"|\b[0-9]{1,4}[a-z]?\s+(?:[a-z][\w'-]*\s+){1,2}(?:street|st|road|rd|avenue|lane|crescent"
    r"|terrace|gardens)\b"
)
# After a word that says an address follows, any street name: "bor på Sjöbacka 14", "adress:
# Haga 4", and in English the number first: "we live at 7 Rowan Lodge", "address: 22 Meadowbank".
_AFTER_ADDRESS_CUE = (
    re.compile(
        r"((?i:\b(?:bor|bodde)\s+(?:på|vid)|\bflytta(?:t|de|r)?\s+till"
        r"|\b(?:hem|post|besöks)?adress(?:en)?(?:\s+är)?)\s*(?::\s*)?)"
        rf"((?:[^\W\d_][\w'-]*\s+){{0,2}}[^\W\d_][\w'-]*\s+{_HOUSE})"
    ),
    re.compile(
        r"((?i:\b(?:live|living|lives|we're|we\s+are)\s+(?:at|on)|\bmov(?:ed|ing)\s+to"
        r"|\b(?:home\s+|postal\s+)?address"
        r"(?:\s+is)?)\s*(?::\s*)?)"
        rf"([0-9]{{1,4}}[A-Za-z]?,?(?:\s+[{_CAPITAL}][\w'-]*){{1,3}})"
    ),
)
_TOWN = rf"\s+[{_CAPITAL}][^\W\d_]+"
_POSTCODE = re.compile(
    # Swedish: "123 45" always; "12345" only before a town, or it would eat order numbers. The
    # town stays: a town alone identifies nobody.
    rf"(?<![0-9])(?:SE-?\s?)?[1-9][0-9]{{2}}(?: [0-9]{{2}}(?![0-9])|[0-9]{{2}}(?={_TOWN}))"
    # British: "NW1 6XE".
    r"|\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"
)
# Danish and Norwegian postcodes have four digits: only right after a street ("Kirkeveien 9,
# 0368 Oslo"), before the town.
_NORDIC_POSTCODE = re.compile(rf"(?<=\[address\])(,?\s+)[0-9]{{4}}(?={_TOWN})")
_ADDRESS_RUN = re.compile(r"\[address\](?:[,\s]+\[address\])+")

_HANDLE = re.compile(r"(?<!\w)@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# An account name typed without its @: letters, digits, "_", "." inside, "#1234" for Discord.
_ACCOUNT = r"[^\W_](?:[\w.]*\w)?(?:#[0-9]{4})?(?![\w#])"
_SEPARATORS = r"[\s_.-]?"


@cache
def _cues() -> dict[str, dict[str, list[str]]]:
    raw = resources.files("storage").joinpath("lexicon", "cues.toml").read_text("utf-8")
    return tomllib.loads(raw)


def _words_pattern(phrases: Iterable[str]) -> str:
    """Phrases as one alternation, longest first, their words apart by any spacing."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered)


# "snap annasv": an account with no word between, only after a service typed the short way.
_BARE_ACCOUNT_SERVICES = frozenset({"snap", "snapchat", "insta", "ig", "tiktok", "kik", "sc"})


@cache
def _accounts() -> re.Pattern[str]:
    """ "insta: anna.svensson88", "min tiktok är x", "snap annasv": the account after a service."""
    cues = _cues()["handles"]
    return re.compile(
        rf"(?i:\b(?:{_words_pattern(cues['services'])}))"
        rf"(?:\s*[:=]\s*|\s+[–-]\s+|\s*,?\s+(?i:(?:{_words_pattern(cues['linking'])})\s*:?\s*){{0,3}})"
        rf"(@?{_ACCOUNT})"
    )


@cache
def _ordinary() -> frozenset[str]:
    words = _cues()["words"]
    return frozenset(words["swedish"]) | frozenset(words["english"])


def scrub(text: str, names: Sequence[str] = ()) -> str:
    """The text with personal details replaced by typed placeholders.

    ``names`` are the parent's identifiers as the bot knows them: first and last name, the
    username (with or without @) and the numeric Telegram user id as a decimal string. The id
    goes wherever its digits stand, also with spaces or dots between them; the username also
    typed with other separators ("anna sv 88", "annasv88"); each name and part of a name as a
    whole word in any case, also as a Swedish or English genitive ("Annas", "Anna's"), except
    that a name which is also an ordinary word ("Hope", "Bo") stays where it is written as that
    word ("I hope"). Other people's names go too (``storage.names``). The text is
    NFKC-normalised first, so that full-width digits and look-alike letters cannot slip a number
    or a name past the patterns.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _EMAIL.sub("[email]", text)
    text = _LINK.sub("[link]", text)
    text = _own_identifiers(text, names)
    text = _PERSONNUMMER.sub(_personnummer, text)
    text = _phones(text)
    text = _DATES.sub("[date]", text)
    text = _day_month_after_cue(text)
    text = _STREET_SV.sub("[address]", text)
    text = _STREET_EN.sub("[address]", text)
    for address in _AFTER_ADDRESS_CUE:
        text = address.sub(r"\1[address]", text)
    text = _POSTCODE.sub("[address]", text)
    text = _NORDIC_POSTCODE.sub(r"\1[address]", text)
    text = _ADDRESS_RUN.sub("[address]", text)
    text = _HANDLE.sub("[handle]", text)
    text = _accounts().sub(_account, text)
    return _replace_spans(text, name_spans(text, names), "[name]")


def _own_identifiers(text: str, names: Sequence[str]) -> str:
    """The Telegram id as [id] and the username, in any spacing, as [name]."""
    for name in names:
        clean = unicodedata.normalize("NFKC", name).strip().lstrip("@")
        digits = re.sub(r"[\s.-]", "", clean)
        if digits.isdigit() and len(digits) >= 5:
            spaced = _SEPARATORS.join(digits)
            text = re.sub(rf"(?<![0-9]){spaced}(?![0-9])", "[id]", text)
            continue
        parts = [part for part in re.split(r"[\s_.-]+|(?<=[^\W\d_])(?=\d)", clean) if part]
        if any(char.isalpha() for char in clean) and (
            len(parts) > 1 or any(char.isdigit() for char in clean)
        ):
            variants = {_SEPARATORS.join(re.escape(part) for part in parts)}
            variants.add(_SEPARATORS.join(re.escape(fold(part)) for part in parts))
            pattern = "|".join(sorted(variants, key=len, reverse=True))
            text = re.sub(rf"(?<![\w\[])(?:{pattern})(?![\w\]])", "[name]", text, flags=re.I)
    return text


def _personnummer(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) == 10 and found.startswith("07"):
        return found  # a Swedish mobile number: the phone stage names it as one
    if _last_words(match.string, match.start(), 3) & _not_personal():
        return found  # "ordernummer 2301154567"
    return "[personnummer]"


@cache
def _not_personal() -> frozenset[str]:
    return frozenset(_cues()["numbers"]["not_personal"])


def _last_words(text: str, end: int, count: int) -> frozenset[str]:
    """The last ``count`` words before ``end``, lower-case."""
    return frozenset(word.lower() for word in WORD.findall(text[max(0, end - 40) : end])[-count:])


def _day_month_after_cue(text: str) -> str:
    """ "den 5/11", "born 3/12", "16/9": a day and month with no year, when it must be a date."""
    return _DAY_MONTH.sub(_day_month, text)


_DAY_MONTH = re.compile(rf"(?<![\w./-]){_DAY}/(?:0?[1-9]|1[0-2])(?![\w/.,]?[0-9])")
_SENTENCE_END = re.compile(r"[.!?\n]")


def _day_month(match: re.Match[str]) -> str:
    """A date after a cue, or a birth word in the same sentence, or when the day cannot be a
    month ("16/9"); never "24/7"."""
    found = match.group()
    day = int(found.split("/")[0])
    if day > 12 and found != "24/7":
        return "[date]"
    cues = _cues()["dates"]
    if _last_words(match.string, match.start(), 1) & frozenset(cues["before_day_month"]):
        return "[date]"
    sentence = _SENTENCE_END.split(match.string[max(0, match.start() - 60) : match.start()])[-1]
    words = frozenset(word.lower() for word in WORD.findall(sentence)[-3:])
    return "[date]" if words & frozenset(cues["birth"]) else found


def _account(match: re.Match[str]) -> str:
    account = match.group(1).lstrip("@")
    shaped = any(char.isdigit() or char in "_.#" for char in account)
    linked = bool(re.search(r"[:=–-]|\s\S+\s", match.group()[: match.start(1) - match.start()]))
    service = match.group().split()[0].rstrip(":=–-")
    if not shaped and (
        account.lower() in _ordinary()
        or account[:1].isupper()  # a capitalised name is left to the name stage
        or not (linked or (service.lower() in _BARE_ACCOUNT_SERVICES and service.islower()))
    ):
        return match.group()  # "insta är bra", "Telegram sparar själv"
    cue = match.string[match.start() : match.start(1)]
    return f"{cue}[handle]"


def _phones(text: str) -> str:
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "SE")]
    text = _replace_spans(text, spans, "[phone]")
    text = _PLUS_NUMBER.sub("[phone]", text)
    text = _UK_NUMBER.sub("[phone]", text)
    text = _US_NUMBER.sub("[phone]", text)
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
