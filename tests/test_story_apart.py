"""The keep-apart rules as a table (SPEC "Stories"): headlines one name or one number apart,
or reporting different kinds of event, are different stories; alike copies are not."""

from __future__ import annotations

import pytest

from bot.stories.apart import kept_apart
from bot.stories.titles import title_key_tokens


def apart(a: str, b: str) -> str | None:
    return kept_apart(title_key_tokens(a), title_key_tokens(b))


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Strike Enters Day 100", "Strike Enters Day 101", "'100' vs '101' ('day')"),
        ("100 days of strike", "101 days of strike", "'100' vs '101' ('day')"),  # number first
        ("Netflix Q2 profit rises", "Netflix Q3 profit rises", "'q2' vs 'q3' ('netflix')"),
        # Large figures more than 2% apart, and years however near, are two numbers.
        ("Recall of 25000 Jeeps", "Recall of 26000 Jeeps", "'25000' vs '26000' ('of')"),
        ("Strike of 2014 ends", "Strike of 2015 ends", "'2014' vs '2015' ('of')"),
        (
            "Fund raises 150k for strikers",
            "Fund raises 160k for strikers",
            "'150k' vs '160k' ('rais')",
        ),
        ("Deal at Vox Media ratified", "Deal at Vice Media ratified", "'vox' vs 'vice'"),
        (
            "Paula Abdul joins Idol panel",
            "Katy Perry joins Idol panel",
            "'paula abdul' vs 'katy perry'",
        ),
        (
            "Paramount Taps Sony's David Okafor as President of Worldwide Marketing",
            "Universal Taps Lionsgate's Maria Chen as President of Worldwide Marketing",
            "'paramount' vs 'universal'",
        ),
        (  # two swaps, of unequal lengths: the first that names someone says why
            "Universal Pictures hires Maria Chen as its new film chief",
            "Paramount hires David Okafor as its new film chief",
            "'universal pictures' vs 'paramount'",
        ),
        ("SAG-AFTRA tentative deal reached", "SAG-AFTRA members ratify", "deal vs ratification"),
        ("Actors strike begins", "Actors lawsuit filed", "strike vs lawsuit"),
        ("Director dies at 80", "Director hired by Disney", "death vs hire"),
        # A later stage of a suit or a deal parts two headlines that both name the suit or deal.
        (
            "Judge Denies Framewise's Motion to Dismiss Meridian's AI Lawsuit",
            "Meridian Pictures Files AI Lawsuit Against Framewise",
            "lawsuit / ruling vs lawsuit",
        ),
        (
            "Meridian, Framewise settle copyright lawsuit over AI training",
            "Meridian sues Framewise in copyright lawsuit over AI training",
            "lawsuit / settlement vs lawsuit",
        ),
        (
            "Framewise Loses Bid To Toss Meridian Pictures' AI Copyright Suit",
            "Meridian Pictures Sues AI Startup Framewise Over Training on Its Films",
            "ruling vs lawsuit",
        ),
        (
            "Video Game Voice Actors' Strike Enters Day 100",
            "Video game actors are going on strike",
            "milestone / strike vs strike",
        ),
        (
            "WGA and SAG-AFTRA Respond to OpenAI's Sora Hollywood Push",
            "OpenAI Courts Hollywood Studios With Sora Licensing Program",
            "reaction vs no kind of event",
        ),
        (
            "SAG-AFTRA National Board Approves Tentative Deal, Sends Contract to Members",
            "SAG-AFTRA Reaches Tentative Deal With Studios On New TV Contract",
            "approval / deal vs deal",
        ),
    ],
)
def test_what_tells_two_events_apart_is_named(a: str, b: str, reason: str) -> None:
    assert apart(a, b) == reason


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("OpenAI courts Hollywood studios", "OpenAI wants Hollywood to use Sora"),  # reworded
        ("ECB to end sterilisation of SMP", "ECB to end sterilization of SMP"),  # spelling
        ("Strike Enters Day 100", "Strike enters day 100 as talks stall"),  # same number
        ("Men's Wearhouse seals deal for Jos. A. Bank", "Men's Wearhouse to buy Jos. A. Bank"),
        ("Chiquita and Fyffes merge", "Chiquita-Fyffes merger makes a top banana"),
        # A kind of event in one headline only may be its wording of the other's event.
        ("Men's Wearhouse buys Jos. A. Bank for $1.8 billion", "Men's Wearhouse and Jos. A. Bank"),
        ("Switch 2 sold 3.5 million in 4 days", "Switch 2 sells 3.5 million units in four days"),
        ("Stocks open lower on weak news from Asia", "Stocks open lower on poor news from Asia"),
        ("SAG-AFTRA strike ends with tentative deal", "SAG-AFTRA reaches tentative deal"),
        ("Writers strike day 5", "Writers rally on day 5 of strike"),
        # One event named with another kind that is no later stage of it: the same deal.
        (
            "Hollywood actors reach tentative agreement with studios, averting a strike",
            "SAG-AFTRA Reaches Tentative Deal With Studios",
        ),
        (  # the same numbers, told in another order
            "HBO renews The Last of Us for Season 4 after Season 3 finale",
            "After Season 3 finale, HBO renews The Last of Us for Season 4",
        ),
        ("10 things we learned at Cannes", "Things we learned at Cannes 2026"),  # no word before
        # Words added, or a swap longer than two words, are a rewording, not a name swapped.
        ("OpenAI courts Hollywood studios", "OpenAI courts Hollywood studios with Sora"),
        (
            "WGA East ratifies first contract with Vox",
            "WGA East ratifies first contract with three digital newsrooms",
        ),
        (
            "WGA East ratifies first contract with three digital newsrooms",
            "WGA East ratifies first contract with Vox",
        ),
        # One figure written two ways, or rounded two ways, is no number apart.
        ("MtGox faced 150000 attacks a second", "MtGox faced 150k attacks a second"),
        ("Copper slides 5 pct on China fears", "Copper slides 5pc on China fears"),
        ("Copper slides 3 pct on China fears", "Copper slides 3 per cent on China fears"),
        ("Lohan series debuts with 700000 viewers", "Lohan series debuts with 693000 viewers"),
        # A rare name for an everyday word, or one verb for another, names no one else.
        ("Teen sneaks into Miley Cyrus' dressing room", "Teen sneaks into her dressing room"),
        ("Stacy Keibler marries boyfriend in Mexico", "Stacy Keibler weds boyfriend in Mexico"),
        ("True Detective finale crashes HBO Go", "True Detective finale busts HBO Go"),
        # Under three fifths of the longer headline alike: no near miss, whatever is swapped.
        ("Kubrick heirs sue Sora maker", "Kubrick family members sue Sora app developer"),
        ("Kubrick heirs sue Vantorqe", "Kubrick family members sue Maldrekk Pictures"),  # names
        # Alike words but in another order: three of six in order is no near miss, however
        # many words the two share (here four), so the number rule does not judge them.
        ("Day 100 writers march studios", "Writers march studios day 101 talks"),
        ("", ""),
    ],
)
def test_copies_of_one_event_are_not_kept_apart(a: str, b: str) -> None:
    assert apart(a, b) is None
