"""Answer units: exact slices of the source; lists keep their intro and items; an example sentence
carries the sentence it depends on; label + value blocks and table rows stay whole."""

from __future__ import annotations

import pytest

from knowledge import units
from knowledge.types import Chunk


def _chunk(text: str, heading: str = "Heading") -> Chunk:
    return Chunk("kb:s:0", "kb", "general/s", "general", "", heading, text, 100, 100 + len(text))


def _split(text: str, context: str = ""):
    source = " " * 100 + text
    got = units.split(_chunk(text), context)
    for u in got:
        assert source[u.start:u.end] == u.text
    return source, got


def test_list_intro_quotes_its_items_and_items_know_their_intro():
    text = "We send your data to:\n\n  • our schools;\n  • service providers;\n  • the authorities.\n\nThat is all."
    source, got = _split(text)
    intro = next(u for u in got if u.kind == "intro")
    assert source[intro.quote_start:intro.quote_end].endswith("the authorities.")
    bullets = [u for u in got if u.kind == "bullet"]
    assert [b.text for b in bullets] == ["our schools;", "service providers;", "the authorities."]
    assert all("We send your data to:" in b.context for b in bullets)
    assert all(source[b.group_start:b.group_end].startswith("We send") for b in bullets)


@pytest.mark.parametrize("dependent", ["For example, the alumni directory.", "These are kept for one year.",
                                       "Such data is never sold."])
def test_a_dependent_sentence_carries_its_antecedent(dependent):
    text = f"We keep some data after you graduate. {dependent}"
    source, got = _split(text)
    last = got[-1]
    assert last.text == dependent
    assert "We keep some data after you graduate." in last.context
    assert source[last.quote_start:last.quote_end] == text


@pytest.mark.parametrize("dependent", ["For example, this is the case for your alumni account;",
                                       "This is the case when you use the VPN;"])
def test_a_list_items_example_quotes_the_rule_it_illustrates(dependent):
    """The lawful-basis lists state a rule and its example in one item: quoting the example alone
    ("For example, this is the case for your alumni account") drops the rule the visitor asked about."""
    rule = "We need your data to perform a contract you entered into."
    text = f"Your data is processed when:\n\n  • {rule} {dependent}\n  • You have given your consent."
    source, got = _split(text)
    example = next(u for u in got if u.text == dependent)
    assert example.kind == "bullet"
    assert source[example.quote_start:example.quote_end] == f"{rule} {dependent}"
    assert rule in example.context and "Your data is processed when:" in example.context
    consent = next(u for u in got if u.text.startswith("You have given"))
    assert source[consent.quote_start:consent.quote_end] == consent.text  # an independent item quotes itself


def test_label_and_value_lines_are_one_unit():
    text = "The site is hosted by :\n\nPLATFORM.SH\n\nAnother sentence of the notice."
    _source, got = _split(text)
    assert got[0].kind == "label" and got[0].text.endswith("PLATFORM.SH")


@pytest.mark.parametrize("block, after", [
    ("The site is hosted by :\n\nPLATFORM.SH\n\nSAS with a capital of 360,590 euros\n\n131 Boulevard de Sebastopol – "
     "75002 Paris\n\nTelephone number: 01 40 09 30 00", "\n\nSITE DESIGN\n\nNIJI\n9A, rue de Châtillon 35000 Rennes"),
    ("Le site est hébergé par :\n\nOVH\n\n2 rue Kellermann – 59100 Roubaix\n\nTéléphone : 09 72 10 10 07",
     "\n\nLe site a été conçu par une agence."),
])
def test_a_labels_value_runs_over_all_its_lines_and_stops_at_the_next_block(block, after):
    """"Who hosts the site?" quotes the host's name with its address and phone, and nothing of the next block."""
    source, got = _split(block + after)
    label, values = block.split("\n\n", 2)[:2], block.split("\n\n")[2:]
    assert got[0].kind == "label" and got[0].text == "\n\n".join(label)  # embedded: the label and the name
    assert source[got[0].quote_start:got[0].quote_end] == block  # quoted: the whole block
    assert [u.text for u in got[1:len(values) + 1]] == values  # each further line is a unit of its own too
    assert all(u.start >= got[0].quote_end for u in got[len(values) + 1:])  # the next block is not quoted


def test_a_table_row_stays_whole():
    text = "Cookie Editors : Tradelab\nType of Cookies: Advertising Cookies\nPrivacy Policy: http://x.test/p/"
    _source, got = _split(text)
    assert len(got) == 1 and got[0].kind == "row"


def test_heading_and_part_title_are_context_not_quote():
    _source, got = _split("Data is stored for thirty (30) days.", context="Video surveillance")
    assert got[0].context.splitlines() == ["Video surveillance", "Heading"]
    assert "Video surveillance" not in got[0].text


CUT_LISTS = {
    "en": ("We collect your data for several reasons.\n\nHowever, we only collect personal data from you when:",
           "  • you have agreed to it;\n  • it is necessary to perform a contract with you;\n"
           "  • we have a legal obligation.\n\nWe never sell your data."),
    "fr": ("Nous collectons vos données pour plusieurs raisons.\n\nNous ne collectons vos données que lorsque :",
           "  • vous y avez consenti ;\n  • c'est nécessaire à l'exécution d'un contrat ;\n"
           "  • la loi nous y oblige.\n\nNous ne vendons jamais vos données."),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_list_cut_by_a_chunk_boundary_is_one_list_again(lang):
    head, tail = CUT_LISTS[lang]
    source = head + "\n\n" + tail
    first = Chunk("kb:s:0", "kb", "general/s", "general", "", "Legal basis", head, 0, len(head))
    second = Chunk("kb:s:1", "kb", "general/s", "general", "", "Legal basis", tail, len(head) + 2, len(source))
    alone = [u for c in (first, second) for u in units.split(c)]
    assert next(u for u in alone if u.kind == "intro").quote_end == len(head)  # cut: the intro quotes nothing
    got = units.split_all([first, second])
    intro = next(u for u in got if u.kind == "intro")
    items = [u for u in got if u.kind == "bullet"]
    assert len(items) == 3
    assert source[intro.quote_start:intro.quote_end] == source[intro.start:items[-1].end]
    assert all(intro.text in u.context and u.group_start == intro.start for u in items)
    last = got[-1]
    assert last.kind == "sentence" and last.group_start == last.start  # the sentence after the list stays alone


def test_items_of_another_section_are_never_linked():
    head, tail = CUT_LISTS["en"]
    first = Chunk("kb:a:0", "kb", "general/a", "general", "", "A", head, 0, len(head))
    second = Chunk("kb:b:0", "kb", "general/b", "general", "", "B", tail, len(head) + 2, len(head) + 2 + len(tail))
    got = units.split_all([first, second])
    intro = next(u for u in got if u.kind == "intro")
    assert intro.quote_end == intro.end
    assert all(intro.text not in u.context for u in got if u.kind == "bullet")


# A list longer than a chunk, whose second item has two sentences, the second ending with ":" (as a
# policy's recipients list does): it must stay one list, quoted whole by its intro.
LONG_LISTS = {
    "en": ("We may send your personal data to the following recipients:",
           ["All the departments of the group, in accordance with their operational requirements for the purposes "
            "mentioned above;",
            "The subcontractors and service providers of the group, which provide us with services requiring data "
            "processing, for example our suppliers of software, data hosts and organizers of events. Where "
            "applicable, details of specific recipients of your data can be sent to you at the time of collection:",
            "Companies to facilitate your recruitment;",
            "Organizations involved in the certification of training provided by the group, for example certification "
            "bodies or skills operators in charge of funding your apprenticeship agreement;",
            "Any relevant law enforcement agency, governmental or regulatory agency, court or other third party, for "
            "whom it is necessary to disclose personal information under the laws and regulations in force;",
            "Any other person to whom we have given the authorization to disclose our personal data."]),
    "fr": ("Nous pouvons transmettre vos données personnelles aux destinataires suivants :",
           ["Tous les services du groupe et des écoles, selon leurs besoins opérationnels pour les finalités "
            "mentionnées ci-dessus ;",
            "Les sous-traitants et prestataires du groupe, qui nous fournissent des services impliquant un traitement "
            "de données, par exemple nos éditeurs de logiciels, hébergeurs et organisateurs d'événements. Le cas "
            "échéant, le détail des destinataires peut vous être communiqué au moment de la collecte :",
            "Les entreprises, pour faciliter votre recrutement ;",
            "Les organismes intervenant dans la certification des formations du groupe, par exemple les organismes "
            "certificateurs ou les opérateurs de compétences qui financent votre contrat d'apprentissage ;",
            "Toute autorité judiciaire, administrative ou de régulation, ou tout autre tiers, à qui la loi impose de "
            "communiquer des données personnelles ;",
            "Toute autre personne à qui nous avons autorisé la communication de vos données."]),
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_list_longer_than_a_chunk_is_one_list_with_every_item(lang):
    from knowledge.chunking import MAX_CHARS, chunk_sections
    from knowledge.parsing import Section

    intro, items = LONG_LISTS[lang]
    source = "IV – Recipients\n\n" + intro + "\n\n" + "\n".join(f"  • {i}" for i in items) + "\n\nV – Rights\n"
    assert len(source) > MAX_CHARS  # the paragraph is cut into several chunks
    body = source.index(intro)
    section = Section("alumni/IV-recipients", "alumni", "IV", "IV – Recipients", body, source.index("V – Rights"))
    chunks = chunk_sections(source, [section], "kb")
    assert len(chunks) > 1
    got = units.split_all(chunks)
    head = next(u for u in got if u.kind == "intro")
    assert head.text == intro and [u for u in got if u.kind == "intro"] == [head]  # the item ending ":" is no intro
    whole = source[head.quote_start:head.quote_end]
    assert whole.startswith(intro) and all(i in whole for i in items)
    assert all(u.group_start == head.start and u.group_end == head.quote_end for u in got if u.kind == "bullet")
