"""One scoring implementation per family: retrieval rankings, single answers, dialogues."""
