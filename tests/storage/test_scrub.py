"""Scrubbing free text: personal details go, look-alikes stay, nothing ever crashes."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.scrub import CorpusCase, read_corpus, survives
from flows.model import Language
from flows.texts import catalog
from storage import scrub
from storage.scrub import PLACEHOLDERS

NAMES = ("Lovisa", "Zlatanovic-Berg", "lovisa_zeta88", "5123456789")

SCRUBBED = [
    # phone numbers, Swedish
    ("Ring mig på 070-123 45 67 efter kl 18", "Ring mig på [phone] efter kl 18"),
    ("mitt nummer är 0701234567", "mitt nummer är [phone]"),
    ("mobil 073 555 12 34", "mobil [phone]"),
    ("hemma 08-123 456 78", "hemma [phone]"),
    ("ring 031-12 34 56 dagtid", "ring [phone] dagtid"),
    ("tel:0701234567", "tel:[phone]"),
    ("ring0701234567", "ring[phone]"),
    ("0046 70 123 45 67", "[phone]"),
    # phone numbers, international
    ("Call me on +46 70 123 45 67", "Call me on [phone]"),
    ("whatsapp +46701234567 please", "whatsapp [phone] please"),
    ("my UK number +44 20 7946 0958", "my UK number [phone]"),
    ("US: +1 (415) 555-2671", "US: [phone]"),
    ("fictional +1 555 0100", "fictional [phone]"),
    # e-mail
    ("Mejla anna.svensson@gmail.com tack", "Mejla [email] tack"),
    ("email me at Lovisa.Z+clinic@example.co.uk.", "email me at [email]."),
    ("skriv till anna@gmail", "skriv till [email]"),
    # personnummer and samordningsnummer, 10 and 12 digits, with and without separator
    ("Mitt pnr: 850709-9805", "Mitt pnr: [personnummer]"),
    ("personnummer 8507099805", "personnummer [personnummer]"),
    ("född 19850709-9805", "född [personnummer]"),
    ("198507099805 är mitt", "[personnummer] är mitt"),
    ("samordningsnummer 850769-9802", "samordningsnummer [personnummer]"),
    ("farfar, över hundra: 120505+1236", "farfar, över hundra: [personnummer]"),
    ("bebisen: 20250301-2383", "bebisen: [personnummer]"),
    # ... by shape: a wrong check digit still identifies, and so does a masked one
    ("bara 850709-9806 (fel kontrollsiffra)", "bara [personnummer] (fel kontrollsiffra)"),
    ("pnr 198507099806", "pnr [personnummer]"),
    ("mitt pnr 850709 9806", "mitt pnr [personnummer]"),
    ("samordningsnr 910665-3348", "samordningsnr [personnummer]"),
    ("personnumret är 930505-xxxx", "personnumret är [personnummer]"),
    # addresses
    ("Vi bor på Storgatan 12", "Vi bor på [address]"),
    ("Storgatan 12B, 123 45 Stockholm", "[address] Stockholm"),  # a town alone is nobody
    ("postnummer 123 45", "postnummer [address]"),
    ("12345 Göteborg", "[address] Göteborg"),
    ("Björkvägen 12 B, 2 tr, lgh 1102", "[address]"),
    ("flyttat till Gamla vägen 3 i Vetlanda", "flyttat till [address] i Vetlanda"),
    ("Sankt Eriks allé 7 och Lärksvängen 8", "[address] och [address]"),
    ("bor på Sjöbacka 14 utanför Kungsbacka", "bor på [address] utanför Kungsbacka"),
    ("Kirkeveien 9, 0368 Oslo", "[address] Oslo"),
    ("Nørregade 4, 1165 København K", "[address] København K"),
    ("we live at 7 Rowan Lodge, Hexham", "we live at [address], Hexham"),
    ("flyttade till Sjöbacka 14-16 i somras", "flyttade till [address] i somras"),
    ("we moved to 3 Meadowbank, 12 baker st", "we moved to [address]"),
    ("Sveavägen 44 lgh 1102, Stockholm", "[address], Stockholm"),
    ("hos mormor på björkvägen 3a", "hos mormor på [address]"),
    ("We live at 12 Baker Street", "We live at [address]"),
    ("221B Baker St. London NW1 6XE", "[address] London [address]"),
    ("flat at 4 station road", "flat at [address]"),
    # links
    ("se https://example.com/a?b=1.", "se [link]."),
    ("http://min-blogg.se/om-mig", "[link]"),
    ("www.facebook.com/anna.svensson", "[link]"),
    ("skriv på t.me/annasvensson", "skriv på [link]"),
    ("min blogg annasblogg.se", "min blogg [link]"),
    ("instagram.com/anna_s", "[link]"),
    # handles
    ("@anna_s88 på insta", "[handle] på insta"),
    ("(hitta mig: @lovisa.z)", "(hitta mig: [handle])"),
    # the parent's own names, any case, whole words, genitives
    ("Hej, jag heter Lovisa Zlatanovic-Berg", "Hej, jag heter [name] [name]"),
    ("LOVISAS bebis, lovisa's baby", "[name] bebis, [name] baby"),
    ("Zlatanovic skriver, Berg också", "[name] skriver, [name] också"),
    ("användare lovisa_zeta88", "användare [name]"),
    ("Lovisa-mamma, my baby", "[name]-mamma, my baby"),  # a hyphen ends a word
    # exact calendar dates, such as a date of birth
    ("född 3 mars 2025", "född [date]"),
    ("born 12/03/2025", "born [date]"),
    ("den 12 mars var det värst", "den [date] var det värst"),
    ("since 5 May things got worse", "since [date] things got worse"),
    ("BVC-besök 2024-11-05", "BVC-besök [date]"),
    ("appointment on 05/11/2024", "appointment on [date]"),
    ("He was born March 12th, two weeks early", "He was born [date], two weeks early"),
    ("hon föddes den 23:e augusti 2023", "hon föddes den [date]"),
    ("vi var på BVC den 5/11", "vi var på BVC den [date]"),
    ("hon föddes på morgonen 4/3", "hon föddes på morgonen [date]"),
    ("his birthday is 7/11", "his birthday is [date]"),
    # handles on other services written without an @
    ("insta: anna.svensson88", "insta: [handle]"),
    ("snap annasv om ni vill", "snap [handle] om ni vill"),
    ("min tiktok är bebislivet_med_ebbe", "min tiktok är [handle]"),
    # others' names, by cue and by name list, in any case
    ("vår son Olle och lilla Wilma", "vår son [name] och lilla [name]"),
    ("min sambo Johansson jobbar", "min sambo [name] jobbar"),
    ("Jag heter Karin Lund", "Jag heter [name] [name]"),
    ("hon heter alva", "hon heter [name]"),
    ("My name is Priya, our son Arjun is 4", "My name is [name], our son [name] is 4"),
    ("Doktor Berglund och BVC-sköterskan Lovisan", "Doktor [name] och BVC-sköterskan [name]"),
    ("Mvh Karin", "Mvh [name]"),
    ("min dotter lova och sonen tyko", "min dotter [name] och sonen [name]"),
    ("Barnen: Lova, Vilja och Sol.", "Barnen: [name], [name] och [name]."),
    ("Yusra och Bilal turas om", "[name] och [name] turas om"),
    ("Hodan och Kwabena sover", "[name] och [name] sover"),
    ("Darya, min dotter, och Daryas pappa", "[name], min dotter, och [name] pappa"),
    # the parent's username and Telegram id, however typed
    ("skriv till lovisa zeta 88", "skriv till [name]"),
    ("mitt id är 5123456789", "mitt id är [id]"),
    ("id: 512 345 6789", "id: [id]"),
    # several at once
    (
        "Lovisa, 850709-9805, Storgatan 12, 070-123 45 67, lovisa@example.se",
        "[name], [personnummer], [address], [phone], [email]",
    ),
]

SURVIVES = [
    "Det kostar 350 kr i månaden",
    "It cost $20 and then £15",
    "pris 1 250 kr, eller 10 000 kr totalt",
    "Hon föddes 2024",
    "born in 2023, due in March 2025",
    "Hon vägde 3450 g vid födseln",
    "nu väger hon 3,4 kg",
    "he weighs 7.2 kg",
    "vaknar 03:15 varje natt",
    "wakes at 3am and at 05:30",
    "somnar kl 3 och vaknar kl. 7",
    "sover 45 minuter åt gången",
    "naps for 20 min, feeds 120 ml",
    "vaknar 3 gånger per natt",
    "she is 14 weeks old",
    "i mars var det värst",
    "since May things got worse",
    "vaknar kl 3, jobbar 24/7, 50/50 med pappan",
    "ordernummer 2301154567",
    "BVC-besök i november 2024",
    "appointment in May",
    "vecka 48, dag 3",
    "mellan 22 och 06",
    "ring 1177 eller 112, eller 90101",
    "3 times on the way home",
    "2 weeks in the park",
    "we drove 3 hours down the road",
    "det går bra nu",
    "Lovisaparken är stökig",  # names only as whole words
    "Storgatan är stökig",
    "I hope she will sleep, may I ask?",
    "Hope you can help. Will she grow out of it? Mark my words.",
    "Lilla gumman sover. Sol och värme hjälper. Klara färdiga gå!",
    "hon sover bo per natt",
    "Vi bor i Hägersten och mormor i Sala, pappan är från Lahti",
    "we live near Bolton, my mum is in Harlow",
    "Hej! Sambon och jag bråkar. Hej, Dottern är 5 mån. Mvh Trött mamma",
    "Hi, Sorry for the long message. Thanks, Exhausted dad",
    "Hans bror har också haft kolik",
    "vi har flyttat till Eskilstuna och jag känner ingen",
    "Hej, EPDS gav 16 poäng och NICU var tufft",
    "hon sover 1/2 timme i taget, 3/4 av natten",
    "vi var i lekparken 2 gånger och gick hela vägen 3 km",
    "min sambo pendlar och min dotter gråter",
    "My mum lives in Preston and my dad in Hull, my family are back in Lagos",
    "Bebisens mamma och Barnens pappa, moved to Leeds 3 years ago, flyttade till Göteborg 2019",
]


@pytest.mark.parametrize(("text", "expected"), SCRUBBED)
def test_personal_details_become_typed_placeholders(text: str, expected: str) -> None:
    assert scrub(text, NAMES) == expected


@pytest.mark.parametrize("text", SURVIVES)
def test_look_alikes_survive(text: str) -> None:
    assert scrub(text, NAMES) == text


# The parent's own names that are also words go, unless a word or a number beside them shows
# the ordinary word. Nicknames from the username ("rob" of Robert) count as names.
HOPE = ("Hope", "Carter", "hope_c_87", "7012349988")
ROB = ("Robert", "Mills", "rob_mills84", "4412349876")
EM = ("Emily", "Karlsson", "em_karlsson", "1231231234")
PER = ("Per", "Olsson", "per_olsson", "1212121299")
MUM = ("Sarah", "Jones", "sarahj_mum", "8812345670")
WILL = ("Will", "Green", "willgreen", "6644332211")
APRIL = ("April", "Stone", "aprilstone", "9977665544")
SANNA = ("Sanna", "Kask", "sannakask", "7766554433")
OWN = [
    (HOPE, "hope here, mum to Evie (6 weeks)", "[name] here, mum to [name] (6 weeks)"),
    (HOPE, "Hope, mum of two", "[name], mum of two"),
    (HOPE, "I really hope she settles. Hope this helps", None),
    (HOPE, "thank you for reading. Hope x", "thank you for reading. [name] x"),
    (ROB, "rob här, pappa till Alma", "[name] här, pappa till [name]"),
    (ROB, "babies rob you of sleep", None),
    (EM, "em here. she is 9 weeks", "[name] here. she is 9 weeks"),
    (EM, "sover mellan 1 och 3 em", None),
    (PER, "per, pappa till två", "[name], pappa till två"),
    (PER, "vaknar tre gånger per natt, mvh per", "vaknar tre gånger per natt, mvh [name]"),
    (MUM, "mum of two, and my mum helps", None),
    (WILL, "will green, dad of Poppy", "[name] [name], dad of [name]"),
    (APRIL, "april here. things got worse in April", "[name] here. things got worse in April"),
    (SANNA, "Det är sanna här. Det är sanna ord", "Det är [name] här. Det är sanna ord"),
    (SANNA, "Sanna 34 år, sannas mamma hjälper", "[name] 34 år, [name] mamma hjälper"),
]


@pytest.mark.parametrize(("names", "text", "expected"), OWN)
def test_the_parents_own_names_go_unless_used_as_the_word(
    names: tuple[str, ...], text: str, expected: str | None
) -> None:
    assert scrub(text, names) == (text if expected is None else expected)


def test_there_are_enough_cases_of_every_kind() -> None:
    assert len(SCRUBBED) + len(SURVIVES) >= 40
    for placeholder in PLACEHOLDERS:
        assert any(f"[{placeholder}]" in expected for _, expected in SCRUBBED), placeholder


def test_full_width_digits_are_no_way_around_it() -> None:
    assert scrub("ring ０７０１２３４５６７") == "ring [phone]"


# ---- properties


def luhn(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 - index % 2)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


@st.composite
def personnummer(draw: st.DrawFn) -> str:
    born = draw(st.dates(date(1930, 1, 1), date(2025, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)  # samordningsnummer add 60
    short = f"{born:%y%m}{day:02d}{draw(st.integers(1, 999)):03d}"
    short += str(luhn(short))
    sep = draw(st.sampled_from(["", "-"]))
    long = draw(st.booleans())
    return f"{born.year // 100 if long else ''}{short[:6]}{sep}{short[6:]}"


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    digits = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=7, max_size=7)))
    mobile = draw(st.sampled_from(["070", "072", "073", "076", "079"])) + digits
    forms = [
        f"{mobile[:3]}-{mobile[3:6]} {mobile[6:8]} {mobile[8:]}",
        mobile,
        f"{mobile[:3]} {mobile[3:6]} {mobile[6:8]} {mobile[8:]}",
        f"+46 {mobile[1:3]} {mobile[3:6]} {mobile[6:8]} {mobile[8:]}",
        f"+46{mobile[1:]}",
        f"+44 7{digits[:3]} {digits}",
    ]
    return draw(st.sampled_from(forms))


identifiers = st.emails() | phone_numbers() | personnummer()


@given(st.text())
def test_any_text_is_scrubbed_without_error_and_scrubbing_twice_changes_nothing(text: str) -> None:
    once = scrub(text, NAMES)
    assert scrub(once, NAMES) == once


@given(st.text(max_size=80), identifiers, st.text(max_size=80))
def test_an_identifier_never_survives_whatever_surrounds_it(
    before: str, identifier: str, after: str
) -> None:
    assert identifier not in scrub(f"{before} {identifier} {after}")


@given(
    st.text(max_size=80),
    st.from_regex(r"[A-ZÅÄÖ][a-zåäö]{1,12}", fullmatch=True).filter(
        lambda name: name.lower() not in PLACEHOLDERS
    ),
    st.text(max_size=80),
)
def test_a_given_name_never_survives_as_a_word(before: str, name: str, after: str) -> None:
    scrubbed = scrub(f"{before} {name.upper()} {after}", [name])
    assert name.lower() not in re.findall(r"\w+", scrubbed.lower())


def test_huge_text_is_scrubbed_in_reasonable_time() -> None:
    text = "Lovisa 070-123 45 67 sover 3 timmar, Storgatan 12 " * 20_000 + "1" * 100_000
    scrubbed = scrub(text, NAMES)
    assert "070-123" not in scrubbed
    assert scrubbed.count("[phone]") == 20_000


def test_odd_names_are_handled_and_single_letters_ignored() -> None:
    names = ["", "  ", "@", "A", "O'Brien (Sr.)", "88", "Ölwen"]
    assert scrub("a baby, O'Brien's and ölwen 88", names) == "a baby, [name] and [name] 88"


# ---- the corpus: realistic free texts with what must go and what must stay

CORPUS = Path(__file__).resolve().parents[1] / "data"

# What the rules knowingly miss (docs/scrubbing.md says why); strict, so a fix shows here.
KNOWN_MISSES = {
    ("en", 85): "a name that is also a word, first in its sentence: 'Grace has been'",
    ("en", 395): "a name that is also a month: 'I think May picks up'",
    ("en", 396): "a name that is also a word, first in its sentence: 'Bo is teething'",
    ("en", 424): "a name that is also a Swedish word, first in its sentence: 'Kemi is 7 weeks'",
    ("sv", 541): "an unlisted name inside a sentence, with no cue: 'ensam med Darya'",
}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_corpus_has_enough_texts_of_each_kind(lang: str) -> None:
    cases = read_corpus(CORPUS / f"scrub_{lang}.tsv")
    assert sum(1 for case in cases if case.remove) >= 300
    assert sum(len(case.keep) for case in cases) >= 200
    kinds = {kind for case in cases for kind, _ in case.remove}
    assert kinds >= {"name", "own_name", "username", "user_id", "personnummer", "phone", "date"}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=f"{lang}:{number}",
            marks=[pytest.mark.xfail(reason=KNOWN_MISSES[lang, number], strict=True)]
            if (lang, number) in KNOWN_MISSES
            else [],
        )
        for lang in ("sv", "en")
        for number, case in enumerate(read_corpus(CORPUS / f"scrub_{lang}.tsv"), start=2)
    ],
)
def test_corpus_text_loses_its_details_and_keeps_its_look_alikes(case: CorpusCase) -> None:
    scrubbed = scrub(case.text, case.names)
    assert not [string for _, string in case.remove if survives(string, scrubbed)], scrubbed
    assert [string for string in case.keep if not survives(string, scrubbed)] == [], scrubbed


def test_corpus_reader_reads_the_documented_format(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text(
        "names\ttext\tremove\tkeep\n"
        "Anna || @anna_sv || 5123456789\tjag heter Anna, 3 mån\town_name:Anna\t3 mån\n"
        "\tlink: https://a.se/x:y\tlink:https://a.se/x:y || name:x\t\n",
        encoding="utf-8",
    )
    first, second = read_corpus(corpus)
    names = ("Anna", "@anna_sv", "5123456789")
    assert first == CorpusCase(names, "jag heter Anna, 3 mån", (("own_name", "Anna"),), ("3 mån",))
    assert second.names == ()
    assert second.keep == ()
    assert second.remove == (("link", "https://a.se/x:y"), ("name", "x"))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_bots_own_texts_lose_nothing(lang: Language) -> None:
    # Two thousand words of ordinary prose per language, about the very things parents write
    # about: a scrubber that took any of it for a name or a number would mangle theirs too.
    for key, text in catalog(lang).items():
        assert scrub(text) == text, key


# ---- every pattern runs in linear time, whatever the input


@pytest.mark.parametrize(
    "unit",
    [
        "1/",
        "1 ",
        "12 mars ",
        "insta: a.",
        "a'",
        "Anna ",
        "heter ",
        "Dr. ",
        "850709-",
        "5 1 2 3 ",
        "Storgatan 1, 2 tr ",
        "Gamla vägen ",
        "bor på a ",
        "live at 1 A",
        "Ola, ",
        "berg ",
        "född 1/2 ",
        "min son ",
    ],
)
def test_scrubbing_time_grows_linearly(unit: str) -> None:
    def seconds(size: int) -> float:
        text = unit * (size // len(unit))
        started = time.perf_counter()
        scrub(text, NAMES)
        return time.perf_counter() - started

    small, large = min(seconds(10_000) for _ in range(3)), min(seconds(40_000) for _ in range(3))
    assert large < 12 * small + 0.05  # 4x the text: about 4x the time, never 16x
