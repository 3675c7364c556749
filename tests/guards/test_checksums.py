import pytest

from guards.checksums import iban_valid, luhn_valid, nir_key, nir_valid


@pytest.mark.parametrize(
    "value, valid",
    [
        ("1 85 05 78 006 084 91", True),
        ("2 99 11 75 112 345 68", True),
        ("1 02 03 2A 004 021 22", True),  # Corsica 2A -> 19 for the key
        ("2 01 07 2B 033 010 29", True),  # Corsica 2B -> 18
        ("196126938105238", True),
        ("1 85 05 78 006 084 92", False),  # wrong key
        ("1 02 03 2A 004 021 23", False),
        ("3 85 05 78 006 084 91", False),  # sex digit
        ("1 85 05 78 006 084", False),  # too short
    ],
)
def test_nir_key_check(value, valid):
    assert nir_valid(value) is valid


def test_nir_key_formula():
    assert nir_key("1850578006084") == 97 - (1850578006084 % 97)
    assert nir_key("10203" + "2A" + "004021") == 97 - (int("10203" + "19" + "004021") % 97)


@pytest.mark.parametrize(
    "value, valid",
    [
        ("FR76 3000 6000 0112 3456 7890 189", True),
        ("FR14 2004 1010 0505 0001 3M02 606", True),
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB29NWBK60161331926819", True),
        ("FR76 3000 6000 0112 3456 7890 188", False),
        ("DE89 3704 0044 0532 0130 01", False),
        ("XX00", False),
    ],
)
def test_iban_mod97(value, valid):
    assert iban_valid(value) is valid


@pytest.mark.parametrize(
    "value, valid",
    [("4970 1000 0000 0006", True), ("5354-1000-0000-0009", True), ("371449635398431", True),
     ("4970 1000 0000 0007", False), ("1234", False)],
)
def test_luhn(value, valid):
    assert luhn_valid(value) is valid
