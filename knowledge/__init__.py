"""Policy knowledge: parse, chunk, embed, index (Chroma) and hybrid retrieval."""

from bot import offline  # noqa: F401  (sets offline switches before models load)
