"""Every recognizer, English and French side by side, with checksum failures and near misses."""

import pytest

CASES = [
    # (lang, text, entity, expected span text or None when nothing of that entity must be found)
    ("en", "My NIR is 1 85 05 78 006 084 91.", "FR_NIR", "1 85 05 78 006 084 91"),
    ("fr", "Mon NIR est 1 85 05 78 006 084 91.", "FR_NIR", "1 85 05 78 006 084 91"),
    ("fr", "Numéro de sécu : 1 02 03 2A 004 021 22", "FR_NIR", "1 02 03 2A 004 021 22"),
    ("en", "Is 1 85 05 78 006 084 92 valid?", "FR_NIR", None),
    ("fr", "Mon NIR est 1 85 05 78 006 084 92.", "FR_NIR", None),
    ("en", "My INE is 1234567890A.", "FR_INE", "1234567890A"),
    ("fr", "INE au format BEA : 123456789FA", "FR_INE", "123456789FA"),
    ("fr", "Le code 12345678901 n'a pas de lettre.", "FR_INE", None),
    ("en", "Call 06 12 34 56 78 tonight.", "PHONE_NUMBER", "06 12 34 56 78"),
    ("fr", "Appelez le 06 12 34 56 78 ce soir.", "PHONE_NUMBER", "06 12 34 56 78"),
    ("fr", "Mon numéro : +33 6 12 34 56 78", "PHONE_NUMBER", "+33 6 12 34 56 78"),
    ("fr", "Mon numéro : 0033 6 12 34 56 78", "PHONE_NUMBER", "0033 6 12 34 56 78"),
    ("en", "UK mobile +44 7911 123456", "PHONE_NUMBER", "+44 7911 123456"),
    ("fr", "Numéro à Londres : +44 20 7946 0958", "PHONE_NUMBER", "+44 20 7946 0958"),
    ("en", "Call me on 07700 900123 after six.", "PHONE_NUMBER", "07700 900123"),  # reserved UK block
    ("fr", "Mon portable anglais : +44 7700 900461", "PHONE_NUMBER", "+44 7700 900461"),
    ("en", "RCS Paris 445 260 169 is the company number.", "PHONE_NUMBER", None),
    ("fr", "Ma commande 123456789 est en retard.", "PHONE_NUMBER", None),
    ("en", "The fee is 1 250 euros in 3 instalments.", "PHONE_NUMBER", None),
    ("fr", "Les frais sont de 1 250 euros en 3 fois.", "PHONE_NUMBER", None),
    ("en", "My IP is 82.64.153.201", "IP_ADDRESS", "82.64.153.201"),
    ("fr", "Mon IP est 82.64.153.201", "IP_ADDRESS", "82.64.153.201"),
    ("en", "IBAN FR76 3000 6000 0112 3456 7890 189 please", "IBAN_CODE", "FR76 3000 6000 0112 3456 7890 189"),
    ("fr", "Mon RIB : DE89 3704 0044 0532 0130 00", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ("en", "IBAN FR76 3000 6000 0112 3456 7890 188 please", "IBAN_CODE", None),
    ("fr", "IBAN FR76 3000 6000 0112 3456 7890 188 svp", "IBAN_CODE", None),
    ("en", "card 4970 1000 0000 0006", "CREDIT_CARD", "4970 1000 0000 0006"),
    ("fr", "ma carte 4970 1000 0000 0006", "CREDIT_CARD", "4970 1000 0000 0006"),
    ("en", "card 4970 1000 0000 0007", "CREDIT_CARD", None),
    ("fr", "ma carte 4970 1000 0000 0007", "CREDIT_CARD", None),
    ("en", "write to emily.carter92@gmail.com", "EMAIL_ADDRESS", "emily.carter92@gmail.com"),
    ("fr", "écrivez à camille.lefebvre@orange.fr", "EMAIL_ADDRESS", "camille.lefebvre@orange.fr"),
    ("en", "I live at 221B Baker Street, London NW1 6XE.", "STREET_ADDRESS", "221B Baker Street, London NW1 6XE"),
    ("fr", "J'habite au 12 rue de la Paix, 75002 Paris.", "STREET_ADDRESS", "12 rue de la Paix, 75002 Paris"),
    ("en", "I spent 3 years at the school.", "STREET_ADDRESS", None),
    ("en", "I was born on 12/03/2001.", "DATE_TIME", "12/03/2001"),
    ("fr", "Je suis née le 3 mars 1999.", "DATE_TIME", "3 mars 1999"),
    ("en", "The policy was updated on 12/03/2024.", "DATE_TIME", None),
    ("fr", "La politique a été mise à jour le 12/03/2024.", "DATE_TIME", None),
    ("en", "My name is Emily Carter.", "PERSON", "Emily Carter"),
    ("fr", "Je m'appelle Camille Lefebvre.", "PERSON", "Camille Lefebvre"),
    ("en", "my name is tom wilson", "PERSON", "tom wilson"),
    ("fr", "je m'appelle karim benali", "PERSON", "karim benali"),
    ("en", "How long does OMNES Education keep data? Does the CNIL in Paris know?", "PERSON", None),
    ("fr", "Combien de temps OMNES Education garde-t-il les CV ? La CNIL à Paris le sait-elle ?", "PERSON", None),
    ("en", "I live in Bordeaux.", "LOCATION", "Bordeaux"),
    ("fr", "J'habite à Villeurbanne.", "LOCATION", "Villeurbanne"),
    ("en", "Is the campus in Paris open in August?", "LOCATION", None),
    ("fr", "Le campus de Paris est-il ouvert en août ?", "LOCATION", None),
]


@pytest.mark.parametrize("lang, text, entity, expected", CASES)
def test_recognizer(guard, lang, text, entity, expected):
    found = [text[f.start : f.end] for f in guard.inspect(text, lang).findings if f.entity == entity]
    if expected is None:
        assert found == []
    else:
        assert found == [expected]
        assert expected not in guard.inspect(text, lang).text
