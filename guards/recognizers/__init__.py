"""Presidio recognizers Presidio lacks: French identifiers, phones, addresses, birth dates,
names after a cue, and the GDPR Art. 9 special categories (lexicon-driven)."""
