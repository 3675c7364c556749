"""privacybot chat engine. Keep this file import-light: knowledge and guards import bot.errors."""
