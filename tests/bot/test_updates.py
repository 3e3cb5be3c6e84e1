"""Everything that is not a typed answer or a button: other kinds, groups, staff, menus, purge,
and the files the bot keeps."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

import storage
from bot.tg_messages import KIND_TEXT, MENUS, STAFF_COMMANDS, descriptions
from flows.parsing import COMMAND_ALIASES, parse_command
from flows.texts import render
from tests.support import (
    CONTENT,
    SHARED_SECRETS,
    STAFF_ID,
    BotHarness,
    FakeBotApi,
    messages,
    raw_bytes,
    start_bot,
)


async def start_intake(running_bot: BotHarness, **details: object):
    parent = running_bot.parent(**details)
    await parent.send("/start")
    await parent.tap_code("begin")
    await parent.tap_code("yes")
    return parent


@pytest.mark.parametrize("kind", sorted(CONTENT))
async def test_every_other_kind_gets_a_short_reply_and_the_question_again(
    running_bot: BotHarness, kind: str
) -> None:
    parent = await start_intake(running_bot)
    before = running_bot.saved(parent)
    new = await parent.share(kind)
    assert len(new) == 1
    note = render("en", f"bot.kind.{KIND_TEXT.get(kind, kind)}")
    assert new[0]["text"] == f"{note}\n\n{render('en', 'q.role')}"
    assert parent.labels()[0] == "I'm the mother"
    assert running_bot.saved(parent) == before  # nothing stepped, nothing saved
    await parent.tap("I'm the mother")  # and the keyboard shown with it works
    assert parent.last_text.endswith(render("en", "q.age_band"))


async def test_kind_replies_follow_the_conversation_language(running_bot: BotHarness) -> None:
    parent = await start_intake(running_bot, language_code="sv")
    new = await parent.share("voice")
    assert new[0]["text"].startswith(render("sv", "bot.kind.voice"))


async def test_an_edited_message_changes_nothing(running_bot: BotHarness) -> None:
    parent = await start_intake(running_bot)
    await parent.send("I'm the mother")
    before = running_bot.saved(parent)
    new = await parent.edit("I'm the father")
    assert new[0]["text"].startswith(render("en", "bot.kind.edited"))
    assert running_bot.saved(parent) == before


async def test_shared_contacts_and_locations_are_never_stored(
    running_bot: BotHarness, tmp_path: Path
) -> None:
    parent = await start_intake(running_bot)
    for kind in ("contact", "location", "venue"):
        await parent.share(kind)
    await parent.tap("I'm the mother")
    db = running_bot.db_path
    storage.flush_wal(running_bot.intake_bot.service.db)
    stored = raw_bytes(db)
    for secret in SHARED_SECRETS:
        assert secret.encode() not in stored


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
async def test_group_chats_get_a_note_and_leave_no_trace(
    running_bot: BotHarness, chat_type: str
) -> None:
    member = running_bot.parent(chat_type=chat_type)
    new = await member.send("/start", until=messages(1))
    assert [m["text"] for m in new] == [render("en", "bot.group")]
    assert "reply_markup" not in new[0]
    assert running_bot.saved(member) is None
    sticker = await member.share("sticker", until=messages(1))
    assert [m["text"] for m in sticker] == [render("en", "bot.group")]


async def test_staff_see_headline_figures_and_never_free_text(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    for what in ("/start", "tap:begin", "tap:yes", "tap:father", "tap:6_12m", "tap:often"):
        await (parent.tap_code(what[4:]) if what.startswith("tap:") else parent.send(what))
    for what in ("tap:often", "tap:often", "tap:sleep", "tap:understand", "tap:no"):
        await parent.tap_code(what[4:])
    for what in ("tap:mostly_ok", "tap:yes_unwanted"):
        await parent.tap_code(what[4:])
    await parent.send("My neighbour Astrid helps us")
    await parent.tap_code("confirm")
    staff = running_bot.parent(user_id=STAFF_ID, first_name="Nurse", language_code="en")
    new = await staff.send("/stats", until=messages(1))
    text = new[0]["text"]
    assert text.startswith(render("en", "bot.stats.title"))
    assert f"{render('en', 'bot.stats.this_week')}: 1" in text
    assert f"{render('en', 'bot.stats.total')}: 1" in text
    assert "• MIP: < 5" in text  # the small-cell rule
    assert "• Unwanted thoughts: contact within days: < 5" in text
    assert "Astrid" not in text


async def test_stats_is_an_unknown_command_for_everyone_else(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    await parent.send("/start")
    new = await parent.send("/stats")
    assert new[-1]["text"].startswith(render("en", "unknown_command"))


async def test_menus_are_set_in_both_languages_and_staff_also_see_stats(
    running_bot: BotHarness,
) -> None:
    commands = running_bot.api.commands
    default = '{"type": "default"}'
    staff = f'{{"chat_id": {STAFF_ID}, "type": "chat"}}'
    assert [c["command"] for c in commands[(default, "")]] == list(MENUS["en"])
    assert [c["command"] for c in commands[(default, "sv")]] == list(MENUS["sv"])
    assert [c["command"] for c in commands[(staff, "sv")]] == [*MENUS["sv"], *STAFF_COMMANDS]
    assert commands[(default, "sv")][1]["description"] == render("sv", "bot.commands.help")


@pytest.mark.parametrize("lang", sorted(MENUS))
def test_every_menu_offers_privacy(lang: str) -> None:
    """Telegram's clients look for /privacy (a bot's privacy policy), in every language."""
    assert "privacy" in MENUS[lang]
    assert parse_command("/privacy") == parse_command("/integritet")


async def test_the_bot_describes_itself_in_both_languages(running_bot: BotHarness) -> None:
    api = running_bot.api
    values = running_bot.intake_bot.service.engine.clinics.values
    for lang, code in (("en", ""), ("sv", "sv")):
        long = render(lang, "bot.description", **values(lang, ""))
        short = render(lang, "bot.short_description", **values(lang, ""))
        assert api.descriptions[("description", code)] == long
        assert api.descriptions[("short_description", code)] == short
        assert len(long) <= 512
        assert len(short) <= 120
        assert "/privacy" in long
        assert "112" in long  # not an emergency service: the number is there before the chat
    # A client in a language the bot has no text for sees the default (English) one.
    assert api.handle("getMyShortDescription", {"language_code": "de"})[1]["result"] == {
        "short_description": render("en", "bot.short_description", **values("en", ""))
    }


def test_the_fake_refuses_descriptions_longer_than_telegram_takes() -> None:
    api = FakeBotApi()
    assert api.handle("setMyDescription", {"description": "x" * 512})[0] == 200
    assert api.handle("setMyDescription", {"description": "x" * 513})[0] == 400
    assert api.handle("setMyShortDescription", {"short_description": "x" * 121})[0] == 400
    assert (
        api.handle("setMyShortDescription", {"short_description": "x", "language_code": "sv"})[0]
        == 200
    )
    refused = api.handle(
        "setMyShortDescription", {"short_description": "x", "language_code": "sv-SE"}
    )
    assert refused[0] == 400
    assert api.handle("setMyDescription", {"description": ""})[0] == 200  # removes it
    assert ("description", "") not in api.descriptions


def test_a_description_longer_than_telegram_takes_stops_the_bot_at_start() -> None:
    with pytest.raises(ValueError, match="longer than Telegram takes"):
        descriptions("en", {"emergency": "1" * 600})


@pytest.mark.parametrize("lang", sorted(MENUS))
def test_every_menu_command_is_one_the_engine_understands(lang: str) -> None:
    for name in MENUS[lang]:
        command = parse_command(f"/{name}")
        assert command is not None
        assert command.name == COMMAND_ALIASES[name] != "unknown"


async def test_the_daily_purge_is_scheduled_and_purges(running_bot: BotHarness) -> None:
    (job,) = running_bot.app.job_queue.get_jobs_by_name("purge")
    parent = await start_intake(running_bot)
    db = running_bot.intake_bot.service.db
    with db.atomic():
        db.execute("UPDATE sessions SET last_active_day = '2020-01-01'")
    await job.run(running_bot.app)
    assert running_bot.saved(parent) is None


async def test_a_purge_while_a_backup_reads_is_flushed_from_the_wal_when_it_is_done(
    running_bot: BotHarness,
) -> None:
    (job,) = running_bot.app.job_queue.get_jobs_by_name("purge")
    parent = await start_intake(running_bot)
    pseudonym = running_bot.intake_bot.service.pseudonym(parent.user_id).encode()
    db = running_bot.intake_bot.service.db
    with db.atomic():
        db.execute("UPDATE sessions SET last_active_day = '2020-01-01'")
    backup = sqlite3.connect(running_bot.db_path)
    backup.execute("BEGIN")
    backup.execute("SELECT count(*) FROM sessions").fetchone()
    await job.run(running_bot.app)
    assert running_bot.saved(parent) is None
    assert pseudonym in raw_bytes(running_bot.db_path)  # the backup holds the WAL
    (retry,) = running_bot.app.job_queue.get_jobs_by_name("flush-wal")
    await retry.run(running_bot.app)
    assert not retry.removed
    backup.rollback()
    backup.close()
    await retry.run(running_bot.app)
    assert retry.removed
    assert pseudonym not in raw_bytes(running_bot.db_path)


@pytest.mark.usefixtures("umask_022")
async def test_the_bots_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "intake.db"
    async with start_bot(tmp_path, INTAKE_DB=str(db_path)) as running_bot:
        parent = await start_intake(running_bot)
        await parent.tap_code("father")
        assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
        for name in ("intake.db", "intake.db-wal", "intake.db-shm"):
            assert stat.S_IMODE((db_path.parent / name).stat().st_mode) == 0o600, name
