"""What the tests (and the benchmarks) share: the fake Bot API, its transports, a parent who
talks through it, the bot started over it, conversation scripts, storage records, staff data.

Import the public names from here; the modules behind them are one idea each:
`fake_api` (Telegram as plain data), `transport` (in process), `http_api` (over local HTTP),
`parent` (a person in a chat), `harness` (the real bot started over the fake),
`scripts` (whole conversations as readable tables), `records` (storage samples),
`staff` (databases filled by playing real conversations).
"""

from tests.support.fake_api import (
    BOT_ID,
    CONTENT,
    SECRET,
    SHARED_SECRETS,
    TOKEN,
    ApiError,
    DroppedConnectionError,
    FakeBotApi,
    LateAnswerError,
)
from tests.support.harness import (
    STAFF_ID,
    BotHarness,
    BotProcess,
    bot_env,
    bot_process,
    parents_over_http,
    play_beside_the_engine,
    start_bot,
)
from tests.support.http_api import BotApiServer, over_http
from tests.support.parent import FRIEND, Parent, keyboards, messages
from tests.support.records import RECORD, STORAGE_SECRET, raw_bytes, record
from tests.support.scripts import (
    BABY,
    EXPECTED_SUGGESTION,
    PARENT,
    Line,
    Player,
    after,
    intake_script,
    player,
    until,
)
from tests.support.transport import Deliver, FakeRequest, in_process

__all__ = [
    "BABY",
    "BOT_ID",
    "CONTENT",
    "EXPECTED_SUGGESTION",
    "FRIEND",
    "PARENT",
    "RECORD",
    "SECRET",
    "SHARED_SECRETS",
    "STAFF_ID",
    "STORAGE_SECRET",
    "TOKEN",
    "ApiError",
    "BotApiServer",
    "BotHarness",
    "BotProcess",
    "Deliver",
    "DroppedConnectionError",
    "FakeBotApi",
    "FakeRequest",
    "LateAnswerError",
    "Line",
    "Parent",
    "Player",
    "after",
    "bot_env",
    "bot_process",
    "in_process",
    "intake_script",
    "keyboards",
    "messages",
    "over_http",
    "parents_over_http",
    "play_beside_the_engine",
    "player",
    "raw_bytes",
    "record",
    "start_bot",
    "until",
]
