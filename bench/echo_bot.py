"""The floor for `bench.bot`: a bare python-telegram-bot echo bot, no state and no storage.

It makes the Bot API calls any bot with buttons must make for the same updates: a message is
echoed with a button; a tap is answered, the tapped keyboard is closed, and the button's data
is echoed with a button. Run: `python -m bench.echo_bot` (TELEGRAM_BOT_TOKEN and
TELEGRAM_API_BASE_URL from the environment). Not part of the product.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message -> the same text back, with a button."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(message.text or "…", reply_markup=BUTTON)


async def echo_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap -> answered, its keyboard closed, its data echoed with a button."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, query.data or "…", reply_markup=BUTTON)


def main() -> None:
    base_url = os.environ["TELEGRAM_API_BASE_URL"]
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .concurrent_updates(64)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo_text))
    app.add_handler(CallbackQueryHandler(echo_tap))
    app.run_polling()


if __name__ == "__main__":
    main()
