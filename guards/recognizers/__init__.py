"""The guard's recognizers (Presidio classes). Importing this package defines them, so that
`guards/config/recognizers.yaml` can name them the way Presidio's registry names its own."""

from guards.recognizers import (  # noqa: F401
    address,
    classifier,
    contextual,
    identifiers,
    names,
    ner_names,
    obfuscated,
    phone,
    special,
    stated,
    tokens,
)
