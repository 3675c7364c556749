"""Street addresses (French and English): a house number, a street type and a name, optionally
a postcode and a city."""

from __future__ import annotations

import re

from guards.recognizers.base import GuardRecognizer

_FR_STREET_TYPES = (
    r"rue|avenue|av\.?|boulevard|bd|place|pl\.|all[ée]e|impasse|chemin|quai|cours|route|square|passage|"
    r"cit[ée]|voie|faubourg|rond-point|esplanade|r[ée]sidence|parvis|sentier|villa|hameau|lieu-dit"
)
_EN_STREET_TYPES = (
    r"street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|boulevard|blvd\.?|drive|dr\.?|court|ct\.?|place|"
    r"square|sq\.?|way|terrace|close|crescent|gardens|grove|parkway|highway|hwy"
)
_STOP = (
    r"(?:et|and|je|j'|i|mais|but|pour|for|to|in|a|à|au|since|depuis|with|avec|is|est|which|qui|near|pr[èe]s|"
    r"where|o[ùu]|so|donc|then|puis|can|could|do|does|please|svp|merci|thanks|since|until|jusqu|your|my|our|his|her|"
    r"their|the|this|that|votre|vos|mon|ma|mes|notre|nos|son|sa|ses|leur|ce|cette|is|are|was|c'est|il|elle|est-ce)"
)
_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’\-]*"
_NAME_WORDS = rf"(?:(?!{_STOP}\b){_WORD})(?:[ ](?!{_STOP}\b){_WORD}){{0,4}}"
_POSTCODE = r"(?:,?\s*(?:\d{5}|\d{2}\s\d{3})\s+[A-ZÀ-Ý][\w\-]*(?:[ \-][A-ZÀ-Ý][\w\-]*)*(?:\s+(?:cedex|CEDEX)(?:\s\d{1,2})?)?)?"
_UK_POSTCODE = r"(?:,?\s*[A-Z][\w]+(?:,?\s*[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}))?"
_US_ZIP = r"(?:,?\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)*,?\s[A-Z]{2}\s\d{5}(?:-\d{4})?)?"


class StreetAddressRecognizer(GuardRecognizer):
    """A house number + street type + street name, optionally followed by a postcode and city."""

    ENTITIES = ("STREET_ADDRESS",)
    SCORE = 0.85
    PATTERN = re.compile(
        rf"(?<![\w])\d{{1,4}}(?:\s?(?:bis|ter|[a-dA-D])\b)?,?\s+"
        rf"(?:(?i:{_FR_STREET_TYPES})\s+(?:(?i:de la|de l'|de l’|du|des|de|d'|d’|la|le|les|l'|l’)\s*)?{_NAME_WORDS}{_POSTCODE}"
        rf"|(?:{_WORD}[ ]){{1,4}}(?i:{_EN_STREET_TYPES})(?![\w]){_UK_POSTCODE}{_US_ZIP}{_POSTCODE})"
    )

    def find(self, text):
        for match in self.PATTERN.finditer(text):
            end = match.end()
            while end > match.start() and text[end - 1] in " ,.-":
                end -= 1
            yield "STREET_ADDRESS", match.start(), end, self.SCORE
