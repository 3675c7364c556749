"""Old import path, kept for the guard and load modules (helpers G and R) until they import
`evals.datasets`, the one JSONL loader. Nothing else may use it."""

from evals.datasets import *  # noqa: F403
from evals.datasets import RETRIEVAL, load_jsonl


def load_retrieval_set(path):
    return load_jsonl(path, *RETRIEVAL)
