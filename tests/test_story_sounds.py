"""Names written in katakana or Hangul against the same names in Latin letters (SPEC
"Stories": copies in other scripts are compared on the names they share)."""

from __future__ import annotations

import pytest

from bot.stories.sounds import kana_sounds, latin_sounds, sounded_pairs
from bot.stories.titles import title_key_tokens


@pytest.mark.parametrize(
    ("latin", "kana"),
    [
        ("Hollywood", "ハリウッド"),
        ("Hollywood", "할리우드"),
        ("license", "ライセンス"),
        ("licensing", "라이선스"),
        ("studios", "スタジオ"),
        ("studio", "스튜디오를"),  # a Hangul word with its particle
        ("Johnson", "ジョンソン"),  # an h inside a word is not heard
        ("Netflix", "ネットフリックス"),
        ("Netflix", "넷플릭스"),
        ("Disney", "ディズニー"),
        ("Nintendo", "ニンテンドー"),
        ("program", "プログラム"),
        ("downloads", "ダウンロード"),
        ("characters", "キャラクター"),
        ("content", "コンテンツ"),
        ("content", "콘텐츠에"),  # 츠 writes the `ts` Korean lacks
    ],
)
def test_a_name_sounds_alike_in_latin_letters_and_in_kana_or_hangul(latin: str, kana: str) -> None:
    assert latin_sounds([latin]).keys() & kana_sounds([kana]).keys()


@pytest.mark.parametrize(
    ("latin", "kana"),
    [
        ("Hollywood", "ライセンス"),
        ("Netflix", "ニンテンドー"),
        ("downloads", "スタジオ"),
        ("Disney", "ダウンロード"),
    ],
)
def test_different_names_do_not_sound_alike(latin: str, kana: str) -> None:
    assert not latin_sounds([latin]).keys() & kana_sounds([kana]).keys()


@pytest.mark.parametrize("word", ["app", "アプリ", "Sora", "ソラ", "AI"])
def test_a_name_of_few_consonants_says_too_little_to_compare(word: str) -> None:
    assert not latin_sounds([word]) and not kana_sounds([word])


def test_kanji_and_hiragana_have_no_sound_here() -> None:
    assert kana_sounds(["大手", "提案", "を"]) == {}


def test_each_name_sounded_alike_is_paired_latin_then_kana_either_way() -> None:
    japanese = title_key_tokens("OpenAI、ハリウッド大手スタジオに「Sora」ライセンスを提案")
    english = title_key_tokens("OpenAI Courts Hollywood Studios With Sora Licensing Program")
    expected = [("hollywood", "ハリウッド"), ("licensing", "ライセンス"), ("studios", "スタジオ")]
    assert sounded_pairs(japanese, english) == expected
    assert sounded_pairs(english, japanese) == expected
