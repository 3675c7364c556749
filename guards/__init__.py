"""Presidio-based guard: detect and redact personal data, the GDPR Art. 9 special categories and
Art. 10 data (criminal offences) in English and French. Imports nothing from `bot/`.

Importing the package sets the switches that keep the libraries it loads offline (setdefault: an
operator can still override them)."""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",  # Presidio's email recognizer otherwise fetches a list
    "TOKENIZERS_PARALLELISM": "false",
}

for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)
