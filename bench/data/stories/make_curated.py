# ruff: noqa: E501
"""Write curated.jsonl: hand-written items modelled on real film, media and tech coverage.

Every item here was written by hand (see PROVENANCE.md); this file only keeps them
readable, grouped by what each group tests, and encodes the Google News wrapper links.
Run: python bench/data/stories/make_curated.py
"""

from __future__ import annotations

import base64
import collections
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("curated.jsonl")

BASE = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def gn(url: str) -> str:
    """A news.google.com wrapper whose CBMi id encodes the publisher URL, as Google's older ids do."""
    raw = bytes([0x08, 0x13, 0x22, len(url)]) + url.encode() + b"\xd2\x01\x00"
    return (
        "https://news.google.com/rss/articles/"
        + base64.urlsafe_b64encode(raw).decode().rstrip("=")
        + "?oc=5"
    )


R: list[dict[str, str]] = []


def add(
    label: str, outlet: str, lang: str, hours: float, title: str, summary: str, link: str
) -> None:
    R.append(
        dict(
            set="curated",
            label=label,
            title=title,
            summary=summary,
            link=link,
            outlet=outlet,
            published=(BASE + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            lang=lang,
        )
    )


def gadd(label: str, publisher: str, hours: float, title: str, url: str, lang: str = "en") -> None:
    """A Google News copy of a publisher's article: ' - Publisher' suffix, wrapper link, no summary."""
    add(label, "Google News", lang, hours, f"{title} - {publisher}", "", gn(url))


# ---------------------------------------------------------------- (e) the seeds' demo story, 6 languages
L = "sora-hollywood-licensing"
u = "https://variety.com/2026/digital/news/openai-sora-hollywood-studios-licensing-program-1236214402/"
add(
    L,
    "Variety",
    "en",
    100,
    "OpenAI Courts Hollywood Studios With Sora Licensing Program",
    "The ChatGPT maker has spent the past month meeting with film and TV studios to pitch a program that would let them license characters and footage to its video model, with revenue shares and opt-outs, according to executives briefed on the talks.",
    u,
)
gadd(L, "Variety", 100.2, "OpenAI Courts Hollywood Studios With Sora Licensing Program", u)
add(
    L,
    "The Verge",
    "en",
    101,
    "OpenAI wants Hollywood to make its next blockbuster with Sora",
    "The company is pitching studios on licensing their characters to its video model, and on using it in production.",
    "https://www.theverge.com/ai-artificial-intelligence/812655/openai-sora-hollywood-studios-blockbuster-pitch",
)
add(
    L,
    "TechCrunch",
    "en",
    103,
    "OpenAI courts Hollywood studios with Sora licensing offer",
    "OpenAI is offering film studios a cut of revenue from fan-made Sora videos that use their characters, a bet that licensing beats lawsuits.",
    "https://techcrunch.com/2026/11/20/openai-courts-hollywood-studios-with-sora-licensing-offer/",
)
add(
    L,
    "The Hollywood Reporter",
    "en",
    104,
    "OpenAI Pitches Studios on Licensing Characters to Sora, Offers Revenue Share on Fan Videos",
    "",
    "https://www.hollywoodreporter.com/business/digital/openai-sora-studios-licensing-revenue-share-1236450112/",
)
add(
    L,
    "AV Watch",
    "ja",
    106,
    "OpenAI、ハリウッド大手スタジオに「Sora」ライセンスを提案　米報道",
    "米OpenAIが、動画生成AI「Sora」で映画会社のキャラクターや映像素材を使えるようにするライセンス制度を、ハリウッドの大手スタジオに提案していると米業界誌が報じた。ファンが作った動画の収益分配や、権利者のオプトアウトの仕組みも含むという。",
    "https://www.av-techwatch.jp/news/2026/11/openai-sora-hollywood-license.html",
)
add(
    L,
    "ITmedia",
    "ja",
    108,
    "OpenAIが「Sora」でハリウッドに攻勢　キャラクターのライセンス制度をスタジオに打診",
    "",
    "https://www.itmedia.co.jp/news/articles/2611/21/news087.html",
)
add(
    L,
    "El País",
    "es",
    107,
    "OpenAI ofrece a los estudios de Hollywood licenciar sus personajes para Sora",
    "La empresa de ChatGPT propone a los grandes estudios un programa de licencias para su modelo de vídeo Sora, con reparto de ingresos por los vídeos de fans y la opción de excluirse.",
    "https://elpais.com/tecnologia/2026-11-20/openai-ofrece-a-los-estudios-de-hollywood-licenciar-sus-personajes-para-sora.html",
)
add(
    L,
    "Xataka",
    "es",
    110,
    "OpenAI quiere que Hollywood use Sora: así es su programa de licencias para estudios",
    "",
    "https://www.xataka.com/robotica-e-ia/openai-quiere-que-hollywood-use-sora-asi-su-programa-licencias-para-estudios",
)
add(
    L,
    "heise online",
    "de",
    109,
    "OpenAI wirbt in Hollywood für Lizenzprogramm für Sora",
    "OpenAI will Filmstudios dazu bringen, Figuren und Filmmaterial für sein Videomodell Sora zu lizenzieren. Im Gegenzug sollen sie an Einnahmen aus Fan-Videos beteiligt werden.",
    "https://www.heise.de/news/OpenAI-wirbt-in-Hollywood-fuer-Lizenzprogramm-fuer-Sora-10112233.html",
)
add(
    L,
    "Le Monde",
    "fr",
    111,
    "OpenAI propose aux studios d’Hollywood de licencier leurs personnages pour Sora",
    "Le créateur de ChatGPT démarche les grands studios pour un programme de licences autour de son générateur de vidéos Sora, avec un partage des revenus des vidéos de fans.",
    "https://www.lemonde.fr/pixels/article/2026/11/20/openai-propose-aux-studios-d-hollywood-de-licencier-leurs-personnages-pour-sora_6612345_4408996.html",
)
add(
    L,
    "ZDNet Korea",
    "ko",
    112,
    "OpenAI, 할리우드 스튜디오에 'Sora' 라이선스 프로그램 제안",
    "오픈AI(OpenAI)가 동영상 생성 AI 'Sora'에 영화사 캐릭터와 영상을 쓸 수 있도록 하는 라이선스 프로그램을 할리우드 주요 스튜디오에 제안했다. 팬 제작 영상의 수익 배분도 포함됐다.",
    "https://zdnet.co.kr/view/?no=20261121093512",
)

# same subject, another event, 10 days earlier (far beyond 72 h)
L = "sora-creative-partner-pitch"
add(
    L,
    "TechCrunch",
    "en",
    -140,
    "OpenAI’s Sora team pitches studios on a ‘creative partner’ program",
    "Sora’s product leads met with three studios about an early-access program for filmmakers.",
    "https://techcrunch.com/2026/11/10/openai-sora-studio-partner-program/",
)
add(
    L,
    "The Information",
    "en",
    -138,
    "OpenAI Pitches Studios on Early Access to Sora for Filmmakers",
    "",
    "https://www.theinformation.com/articles/openai-pitches-studios-on-early-access-to-sora-for-filmmakers",
)

L = "sora-app-10m-downloads"
u = "https://www.bloomberg.com/news/articles/2026-11-19/openai-s-sora-app-passes-10-million-downloads-as-cameos-go-viral"
gadd(L, "Bloomberg", 80, "OpenAI’s Sora App Passes 10 Million Downloads as Cameos Go Viral", u)
add(
    L,
    "The Verge",
    "en",
    82,
    "Sora hits 10 million downloads faster than ChatGPT did",
    "OpenAI’s video app crossed 10 million installs on iOS and Android in under five weeks, according to app analytics firms.",
    "https://www.theverge.com/news/811904/openai-sora-app-10-million-downloads",
)
add(
    L,
    "CNBC",
    "en",
    83,
    "OpenAI's Sora app tops 10 million downloads in five weeks",
    "",
    "https://www.cnbc.com/2026/11/19/openai-sora-app-10-million-downloads.html",
)
add(
    L,
    "ITmedia",
    "ja",
    90,
    "OpenAIの動画アプリ「Sora」、1000万ダウンロードを突破",
    "",
    "https://www.itmedia.co.jp/news/articles/2611/20/news051.html",
)

L = "sora-minute-long-clips"
u = "https://www.reuters.com/technology/artificial-intelligence/openai-says-sora-can-now-generate-minute-long-clips-2026-11-17/"
gadd(L, "Reuters", 30, "OpenAI says Sora can now generate minute-long clips", u)
add(
    L,
    "Engadget",
    "en",
    31,
    "OpenAI's new Sora model can make 60-second videos",
    "The update doubles the maximum clip length and adds synchronized audio for dialogue.",
    "https://www.engadget.com/ai/openais-new-sora-model-can-make-60-second-videos-161500123.html",
)
add(
    L,
    "AV Watch",
    "ja",
    36,
    "OpenAI、「Sora」の新モデルを発表　最大60秒の動画生成に対応",
    "OpenAIは、動画生成AI「Sora」の新モデルを発表した。生成できる動画の長さは最大60秒になり、音声も同時に生成できる。",
    "https://www.av-techwatch.jp/news/2026/11/openai-sora-new-model-60sec.html",
)
add(
    L,
    "heise online",
    "de",
    35,
    "Sora: OpenAI verlängert KI-Videos auf 60 Sekunden",
    "",
    "https://www.heise.de/news/Sora-OpenAI-verlaengert-KI-Videos-auf-60-Sekunden-10108877.html",
)

# ---------------------------------------------------------------- (a) a games event in 6 languages
L = "switch2-sells-3-5-million"
u = "https://www.bloomberg.com/news/articles/2026-11-18/nintendo-switch-2-sells-3-5-million-units-in-first-four-days"
add(
    L,
    "Reuters",
    "en",
    50,
    "Nintendo says Switch 2 sold 3.5 million units in first four days",
    "Nintendo said on Wednesday its Switch 2 console sold more than 3.5 million units worldwide in its first four days, the fastest launch of any Nintendo hardware.",
    "https://www.reuters.com/technology/nintendo-says-switch-2-sold-35-million-units-first-four-days-2026-11-18/",
)
gadd(L, "Bloomberg", 50.5, "Nintendo Switch 2 Sells 3.5 Million Units in First Four Days", u)
add(
    L,
    "The Verge",
    "en",
    51,
    "The Switch 2 is Nintendo’s fastest-selling console ever",
    "",
    "https://www.theverge.com/news/810233/nintendo-switch-2-sales-3-5-million-fastest-selling",
)
add(
    L,
    "IGN",
    "en",
    52,
    "Switch 2 Sales Top 3.5 Million in Four Days, Nintendo's Biggest Launch Ever",
    "Nintendo has confirmed Switch 2 sold over 3.5 million units in its first four days on sale, beating the launch of the original Switch.",
    "https://www.ign.com/articles/switch-2-sales-3-5-million-four-days-nintendo-record",
)
add(
    L,
    "ITmedia",
    "ja",
    49,
    "任天堂「Switch 2」、発売4日間で販売350万台を突破　同社ハード最速",
    "任天堂は、新型ゲーム機「Nintendo Switch 2」の世界販売台数が発売から4日間で350万台を超えたと発表した。",
    "https://www.itmedia.co.jp/news/articles/2611/18/news112.html",
)
add(
    L,
    "El País",
    "es",
    53,
    "La Switch 2 de Nintendo vende 3,5 millones de unidades en sus primeros cuatro días",
    "",
    "https://elpais.com/tecnologia/2026-11-18/la-switch-2-de-nintendo-vende-35-millones-de-unidades-en-sus-primeros-cuatro-dias.html",
)
add(
    L,
    "heise online",
    "de",
    54,
    "Nintendo Switch 2: 3,5 Millionen Konsolen in vier Tagen verkauft",
    "Nintendo hat in den ersten vier Tagen nach dem Start mehr als 3,5 Millionen Switch 2 verkauft – so schnell wie keine Konsole zuvor.",
    "https://www.heise.de/news/Nintendo-Switch-2-3-5-Millionen-Konsolen-in-vier-Tagen-verkauft-10110045.html",
)
add(
    L,
    "Le Monde",
    "fr",
    55,
    "La Switch 2 de Nintendo s’est vendue à 3,5 millions d’exemplaires en quatre jours",
    "",
    "https://www.lemonde.fr/pixels/article/2026/11/18/la-switch-2-de-nintendo-s-est-vendue-a-3-5-millions-d-exemplaires-en-quatre-jours_6611001_4408996.html",
)
add(
    L,
    "Yonhap",
    "ko",
    56,
    "닌텐도 '스위치 2', 출시 4일 만에 350만대 판매",
    "닌텐도(Nintendo)는 신형 게임기 스위치 2(Switch 2)가 출시 4일 만에 전 세계에서 350만대 이상 팔렸다고 밝혔다.",
    "https://www.yna.co.kr/view/AKR20261118071200075",
)

# near miss on the same subject: a Japan-only sales count, another report, another number
L = "switch2-japan-1-million-famitsu"
add(
    L,
    "Famitsu",
    "ja",
    60,
    "Switch 2、国内販売100万台を突破　ファミ通調べ",
    "ファミ通の調査によると、Nintendo Switch 2の国内累計販売台数が100万台を超えた。",
    "https://www.famitsu.com/article/202611/56012",
)
add(
    L,
    "Nintendo Life",
    "en",
    63,
    "Switch 2 Passes 1 Million Units Sold in Japan, According to Famitsu",
    "",
    "https://www.nintendolife.com/news/2026/11/switch-2-passes-1-million-units-sold-in-japan-according-to-famitsu",
)
gadd(
    L,
    "VGC",
    64,
    "Switch 2 Japan sales pass 1 million, Famitsu says",
    "https://www.videogameschronicle.com/news/switch-2-japan-sales-pass-1-million-famitsu-says/",
)

# ---------------------------------------------------------------- (a) a streaming deal in 5 languages, Korean-led
L = "netflix-korea-2-5-billion"
add(
    L,
    "Variety",
    "en",
    20,
    "Netflix to Invest $2.5 Billion in Korean Content Over Four Years",
    "Netflix co-CEO Ted Sarandos announced the investment in Seoul, which doubles what the streamer has spent on Korean series and films since 2016.",
    "https://variety.com/2026/tv/global/netflix-invest-2-5-billion-korean-content-1236205544/",
)
add(
    L,
    "Reuters",
    "en",
    21,
    "Netflix to spend $2.5 billion on South Korean shows and films",
    "",
    "https://www.reuters.com/business/media-telecom/netflix-spend-25-billion-south-korean-shows-films-2026-11-16/",
)
add(
    L,
    "Yonhap",
    "ko",
    19,
    "넷플릭스, 4년간 한국 콘텐츠에 25억 달러 투자",
    "넷플릭스(Netflix)가 앞으로 4년간 한국 드라마와 영화, 예능에 25억 달러(약 3조3천억 원)를 투자한다고 테드 서랜도스(Ted Sarandos) 공동 CEO가 서울에서 밝혔다.",
    "https://www.yna.co.kr/view/AKR20261116004100017",
)
add(
    L,
    "Chosun Ilbo",
    "ko",
    22,
    "Netflix, 한국 콘텐츠에 25억달러 투자… 2016년 이후 투자액의 두 배",
    "",
    "https://www.chosun.com/economy/tech_it/2026/11/16/NETFLIX2500000000KR/",
)
add(
    L,
    "Nikkei",
    "ja",
    23,
    "ネットフリックス、韓国コンテンツに4年で25億ドル投資",
    "米ネットフリックス（Netflix）は韓国のドラマや映画に今後4年間で25億ドルを投資すると発表した。",
    "https://www.nikkei.com/article/DGXZQOGM16AB20W6A111C2000000/",
)
add(
    L,
    "El Mundo",
    "es",
    24,
    "Netflix invertirá 2.500 millones de dólares en contenido coreano",
    "",
    "https://www.elmundo.es/cultura/cine/2026/11/16/netflix-invertira-2500-millones-contenido-coreano.html",
)
add(
    L,
    "Le Figaro",
    "fr",
    25,
    "Netflix va investir 2,5 milliards de dollars dans les séries et films coréens",
    "",
    "https://www.lefigaro.fr/medias/netflix-va-investir-2-5-milliards-de-dollars-dans-les-series-et-films-coreens-20261116",
)

# ---------------------------------------------------------------- (c) SAG-AFTRA: five events, one subject
L = "sag-aftra-final-week-talks"
u = "https://deadline.com/2026/11/sag-aftra-amptp-talks-final-week-1236596120/"
add(
    L,
    "Deadline",
    "en",
    40,
    "SAG-AFTRA Negotiators Head Into Final Week Of Talks With AMPTP",
    "With the contract set to expire at midnight Sunday, the actors’ union and the studios’ bargaining arm resume talks Monday with AI protections still unresolved.",
    u,
)
gadd(L, "Deadline", 40.3, "SAG-AFTRA Negotiators Head Into Final Week Of Talks With AMPTP", u)

L = "sag-aftra-tentative-deal"
u1 = "https://deadline.com/2026/11/sag-aftra-tentative-deal-tv-theatrical-contract-1236598417/"
u2 = "https://www.hollywoodreporter.com/business/business-news/sag-aftra-tentative-deal-new-tv-contract-1236442018/"
add(
    L,
    "Deadline",
    "en",
    70,
    "SAG-AFTRA Reaches Tentative Deal With Studios On New TV/Theatrical Contract",
    "The three-year agreement, reached after 11 days of talks, includes new consent and compensation rules for digital replicas, the union said.",
    u1,
)
add(
    L,
    "Variety",
    "en",
    70.5,
    "SAG-AFTRA Reaches Tentative Deal With Studios on New Contract",
    "The actors union and the AMPTP reached a tentative agreement late Saturday on a new three-year TV and theatrical contract.",
    "https://variety.com/2026/biz/news/sag-aftra-tentative-deal-studios-contract-1236214587/",
)
gadd(
    L,
    "The Hollywood Reporter",
    71,
    "SAG-AFTRA Reaches Tentative Deal With Studios on New TV Contract",
    u2,
)
gadd(
    L,
    "Deadline",
    71.2,
    "SAG-AFTRA Reaches Tentative Deal With Studios On New TV/Theatrical Contract",
    u1,
)
add(
    L,
    "Los Angeles Times",
    "en",
    72,
    "Hollywood actors reach tentative agreement with studios, averting a strike",
    "",
    "https://www.latimes.com/entertainment-arts/business/story/2026-11-21/sag-aftra-tentative-agreement-studios",
)
add(
    L,
    "El País",
    "es",
    74,
    "El sindicato de actores SAG-AFTRA alcanza un acuerdo provisional con los estudios de Hollywood",
    "",
    "https://elpais.com/cultura/2026-11-21/el-sindicato-de-actores-sag-aftra-alcanza-un-acuerdo-provisional-con-los-estudios-de-hollywood.html",
)
add(
    L,
    "Eiga.com",
    "ja",
    76,
    "米俳優組合SAG-AFTRA、スタジオ側と暫定合意　AI規定を盛り込む",
    "SAG-AFTRAと全米映画テレビ製作者協会（AMPTP）が新たな3年契約で暫定合意した。",
    "https://eiga.com/news/20261122/5/",
)
add(
    L,
    "Der Spiegel",
    "de",
    75,
    "Hollywood-Schauspieler: SAG-AFTRA erzielt vorläufige Einigung mit den Studios",
    "",
    "https://www.spiegel.de/kultur/kino/hollywood-sag-aftra-erzielt-vorlaeufige-einigung-mit-den-studios-a-1f2e3d4c",
)

L = "sag-aftra-board-sends-to-vote"
add(
    L,
    "Variety",
    "en",
    96,
    "SAG-AFTRA National Board Approves Tentative Deal, Sends Contract to Members for Ratification Vote",
    "Members have until Dec. 12 to vote; the board approved the deal by 86% after a five-hour meeting.",
    "https://variety.com/2026/biz/news/sag-aftra-board-approves-tentative-deal-ratification-vote-1236215120/",
)
add(
    L,
    "Deadline",
    "en",
    96.5,
    "SAG-AFTRA Board Sends Deal To Members; Ratification Vote Closes December 12",
    "",
    "https://deadline.com/2026/11/sag-aftra-board-approves-deal-ratification-vote-1236599310/",
)
gadd(
    L,
    "The Wrap",
    97,
    "SAG-AFTRA Board Approves Tentative Agreement, Ratification Vote Set",
    "https://www.thewrap.com/sag-aftra-board-approves-tentative-agreement-ratification-vote/",
)

L = "sag-aftra-video-game-strike-call"
add(
    L,
    "Deadline",
    "en",
    88,
    "SAG-AFTRA Calls Strike Against Video Game Companies Over AI Protections",
    "Performers in video games will walk out Friday after 18 months of talks with Activision, EA, Disney Character Voices and others broke down.",
    "https://deadline.com/2026/11/sag-aftra-video-game-strike-ai-1236599001/",
)
add(
    L,
    "Kotaku",
    "en",
    89,
    "Video game actors are going on strike",
    "",
    "https://kotaku.com/sag-aftra-video-game-strike-ai-voice-actors-2000551234",
)
add(
    L,
    "Polygon",
    "en",
    90,
    "SAG-AFTRA video game performers will strike starting Friday",
    "The union says the companies refused to extend AI consent rules to all performers.",
    "https://www.polygon.com/news/611234/sag-aftra-video-game-strike-friday",
)

L = "sag-aftra-members-ratify"
add(
    L,
    "Variety",
    "en",
    230,
    "SAG-AFTRA Members Ratify New TV/Theatrical Contract With 78% Vote",
    "The agreement passed with 78.3% of votes cast; turnout was 38%.",
    "https://variety.com/2026/biz/news/sag-aftra-members-ratify-contract-1236220001/",
)
add(
    L,
    "Deadline",
    "en",
    230.5,
    "SAG-AFTRA Members Ratify Contract; 78% Vote Yes",
    "",
    "https://deadline.com/2026/11/sag-aftra-members-ratify-contract-vote-1236601777/",
)
gadd(
    L,
    "The Hollywood Reporter",
    231,
    "SAG-AFTRA Members Vote to Ratify New Contract",
    "https://www.hollywoodreporter.com/business/business-news/sag-aftra-members-ratify-contract-1236448810/",
)

# ---------------------------------------------------------------- (b) near-miss pairs
L = "wgae-vox-media-contract"
add(
    L,
    "Deadline",
    "en",
    10,
    "WGA East Ratifies First Contract at Vox Media",
    "Union members at Vox Media voted 97% in favor of the three-year deal covering 300 editorial staffers.",
    "https://deadline.com/2026/11/wga-east-vox-media-first-contract-ratified-1236590001/",
)
add(
    L,
    "The Hollywood Reporter",
    "en",
    11,
    "WGA East Ratifies First Contract at Vox Media",
    "",
    "https://www.hollywoodreporter.com/business/business-news/wga-east-vox-media-contract-ratified-1236438001/",
)
gadd(
    L,
    "Variety",
    12,
    "WGA East Members Ratify First Contract at Vox Media",
    "https://variety.com/2026/biz/news/wga-east-vox-media-first-contract-1236203001/",
)

L = "wgae-vice-media-contract"
add(
    L,
    "Deadline",
    "en",
    14,
    "WGA East Ratifies First Contract at Vice Media",
    "Union members at Vice Media voted 91% in favor of a two-year deal covering 120 staffers.",
    "https://deadline.com/2026/11/wga-east-vice-media-first-contract-ratified-1236590222/",
)
add(
    L,
    "The Hollywood Reporter",
    "en",
    15,
    "WGA East Ratifies First Contract at Vice Media",
    "",
    "https://www.hollywoodreporter.com/business/business-news/wga-east-vice-media-contract-ratified-1236438222/",
)
gadd(
    L,
    "Variety",
    16,
    "WGA East Members Ratify First Contract at Vice Media",
    "https://variety.com/2026/biz/news/wga-east-vice-media-first-contract-1236203222/",
)

L = "game-strike-day-100"
add(
    L,
    "Deadline",
    "en",
    120,
    "Video Game Performers’ Strike Enters Day 100 With No Talks Scheduled",
    "The strike against 10 game companies reached its 100th day Monday.",
    "https://deadline.com/2026/11/video-game-strike-day-100-1236600100/",
)
add(
    L,
    "Variety",
    "en",
    121,
    "Video Game Performers’ Strike Enters Day 100",
    "",
    "https://variety.com/2026/gaming/news/video-game-strike-day-100-1236217100/",
)
gadd(
    L,
    "Kotaku",
    122,
    "Video Game Voice Actors’ Strike Enters Day 100",
    "https://kotaku.com/video-game-strike-day-100-2000560100",
)

L = "game-strike-day-101"
add(
    L,
    "Deadline",
    "en",
    144,
    "Video Game Performers’ Strike Enters Day 101 With No Talks Scheduled",
    "On day 101 the union picketed outside a Santa Monica studio.",
    "https://deadline.com/2026/11/video-game-strike-day-101-1236600101/",
)
add(
    L,
    "Variety",
    "en",
    145,
    "Video Game Performers’ Strike Enters Day 101",
    "",
    "https://variety.com/2026/gaming/news/video-game-strike-day-101-1236217101/",
)
gadd(
    L,
    "Kotaku",
    146,
    "Video Game Voice Actors’ Strike Enters Day 101",
    "https://kotaku.com/video-game-strike-day-101-2000560101",
)

L = "wbd-q2-results"
add(
    L,
    "Variety",
    "en",
    130,
    "Warner Bros. Discovery Q2 Earnings: HBO Max Adds 3.6 Million Subscribers",
    "Warner Bros. Discovery reported second-quarter revenue of $9.8 billion as HBO Max reached 125.7 million subscribers.",
    "https://variety.com/2026/tv/news/warner-bros-discovery-q2-earnings-hbo-max-subscribers-1236217300/",
)
add(
    L,
    "CNBC",
    "en",
    130.5,
    "Warner Bros. Discovery Q2 earnings: HBO Max adds 3.6 million subscribers",
    "",
    "https://www.cnbc.com/2026/11/21/warner-bros-discovery-wbd-q2-earnings.html",
)
gadd(
    L,
    "Deadline",
    131,
    "Warner Bros. Discovery Q2 Earnings: HBO Max Adds 3.6M Subscribers",
    "https://deadline.com/2026/11/warner-bros-discovery-q2-earnings-1236600300/",
)

L = "wbd-q3-results"
add(
    L,
    "Variety",
    "en",
    178,
    "Warner Bros. Discovery Q3 Earnings: HBO Max Adds 2.1 Million Subscribers",
    "Warner Bros. Discovery reported third-quarter revenue of $9.4 billion as HBO Max reached 127.8 million subscribers.",
    "https://variety.com/2026/tv/news/warner-bros-discovery-q3-earnings-hbo-max-subscribers-1236218800/",
)
add(
    L,
    "CNBC",
    "en",
    178.5,
    "Warner Bros. Discovery Q3 earnings: HBO Max adds 2.1 million subscribers",
    "",
    "https://www.cnbc.com/2026/11/23/warner-bros-discovery-wbd-q3-earnings.html",
)
gadd(
    L,
    "Deadline",
    179,
    "Warner Bros. Discovery Q3 Earnings: HBO Max Adds 2.1M Subscribers",
    "https://deadline.com/2026/11/warner-bros-discovery-q3-earnings-1236600800/",
)

L = "long-shore-season-2-premiere"
add(
    L,
    "Variety",
    "en",
    60,
    "‘The Long Shore’ Season 2 Sets March Premiere on Apple TV+",
    "The drama’s eight-episode second season debuts March 6.",
    "https://variety.com/2026/tv/news/the-long-shore-season-2-premiere-date-apple-1236209002/",
)
add(
    L,
    "TVLine",
    "en",
    61,
    "‘The Long Shore’ Season 2 Premiere Date Set at Apple TV+",
    "",
    "https://tvline.com/news/the-long-shore-season-2-premiere-date-apple-tv-1235400002/",
)

L = "long-shore-season-3-renewal"
add(
    L,
    "Variety",
    "en",
    84,
    "‘The Long Shore’ Renewed for Season 3 at Apple TV+",
    "Apple has ordered a third season of the drama ahead of the Season 2 premiere.",
    "https://variety.com/2026/tv/news/the-long-shore-renewed-season-3-apple-1236211003/",
)
add(
    L,
    "TVLine",
    "en",
    85,
    "‘The Long Shore’ Season 3 Ordered at Apple TV+",
    "",
    "https://tvline.com/news/the-long-shore-season-3-renewed-apple-tv-1235400303/",
)

L = "universal-names-chen-marketing-president"
add(
    L,
    "Deadline",
    "en",
    150,
    "Universal Pictures Names Maria Chen President Of Worldwide Marketing",
    "Chen, who joins from Lionsgate, succeeds Michael Moses and starts in January.",
    "https://deadline.com/2026/11/universal-pictures-maria-chen-president-marketing-1236600650/",
)
add(
    L,
    "Variety",
    "en",
    150.5,
    "Universal Taps Lionsgate’s Maria Chen as President of Worldwide Marketing",
    "",
    "https://variety.com/2026/film/news/universal-maria-chen-president-worldwide-marketing-1236218001/",
)
gadd(
    L,
    "The Hollywood Reporter",
    151,
    "Universal Names Maria Chen President of Worldwide Marketing",
    "https://www.hollywoodreporter.com/movies/movie-news/universal-maria-chen-marketing-president-1236447001/",
)

L = "paramount-names-okafor-marketing-president"
add(
    L,
    "Deadline",
    "en",
    152,
    "Paramount Pictures Names David Okafor President Of Worldwide Marketing",
    "Okafor, who joins from Sony Pictures, succeeds Marc Weinstock and starts in February.",
    "https://deadline.com/2026/11/paramount-pictures-david-okafor-president-marketing-1236600690/",
)
add(
    L,
    "Variety",
    "en",
    152.5,
    "Paramount Taps Sony’s David Okafor as President of Worldwide Marketing",
    "",
    "https://variety.com/2026/film/news/paramount-david-okafor-president-worldwide-marketing-1236218050/",
)
gadd(
    L,
    "The Hollywood Reporter",
    153,
    "Paramount Names David Okafor President of Worldwide Marketing",
    "https://www.hollywoodreporter.com/movies/movie-news/paramount-david-okafor-marketing-president-1236447050/",
)

L = "disney-plus-price-hike"
add(
    L,
    "The Verge",
    "en",
    26,
    "Disney Plus is raising its ad-free price to $18.99 a month",
    "The price increase takes effect December 15 for new and existing subscribers in the US.",
    "https://www.theverge.com/news/809001/disney-plus-price-increase-ad-free-18-99",
)
add(
    L,
    "CNBC",
    "en",
    27,
    "Disney+ raises ad-free price to $18.99 a month",
    "",
    "https://www.cnbc.com/2026/11/17/disney-plus-price-increase.html",
)
gadd(
    L,
    "Variety",
    28,
    "Disney+ Raises Ad-Free Price to $18.99 Per Month",
    "https://variety.com/2026/digital/news/disney-plus-price-increase-ad-free-1236206001/",
)

L = "hulu-price-hike"
add(
    L,
    "The Verge",
    "en",
    29,
    "Hulu is raising its ad-free price to $18.99 a month",
    "Hulu’s no-ads plan goes up $1 on December 15; the ad-supported plan is unchanged.",
    "https://www.theverge.com/news/809045/hulu-price-increase-ad-free-18-99",
)
add(
    L,
    "CNBC",
    "en",
    29.5,
    "Hulu raises ad-free price to $18.99 a month",
    "",
    "https://www.cnbc.com/2026/11/17/hulu-price-increase.html",
)
gadd(
    L,
    "Variety",
    30,
    "Hulu Raises Ad-Free Price to $18.99 Per Month",
    "https://variety.com/2026/digital/news/hulu-price-increase-ad-free-1236206045/",
)

# ---------------------------------------------------------------- (c) a lawsuit: filed, ruling, settlement
L = "meridian-sues-framewise"
add(
    L,
    "The Hollywood Reporter",
    "en",
    2,
    "Meridian Pictures Sues AI Startup Framewise Over Training on Its Films",
    "The studio’s suit, filed in federal court in Los Angeles, says Framewise copied more than 400 films to train its video model.",
    "https://www.hollywoodreporter.com/business/business-news/meridian-pictures-sues-framewise-ai-training-1236436001/",
)
add(
    L,
    "Reuters",
    "en",
    3,
    "Hollywood studio Meridian sues AI video startup Framewise for copyright infringement",
    "",
    "https://www.reuters.com/legal/litigation/hollywood-studio-meridian-sues-ai-video-startup-framewise-2026-11-16/",
)
gadd(
    L,
    "Variety",
    4,
    "Meridian Pictures Files Copyright Lawsuit Against Framewise",
    "https://variety.com/2026/film/news/meridian-pictures-framewise-lawsuit-1236204100/",
)
add(
    L,
    "heise online",
    "de",
    6,
    "Meridian Pictures verklagt KI-Start-up Framewise wegen Trainings mit 400 Filmen",
    "",
    "https://www.heise.de/news/Meridian-Pictures-verklagt-KI-Start-up-Framewise-10105001.html",
)

L = "framewise-motion-to-dismiss-denied"
add(
    L,
    "The Hollywood Reporter",
    "en",
    66,
    "Judge Denies Framewise’s Motion to Dismiss Meridian’s AI Lawsuit",
    "U.S. District Judge Alicia Moreno said the studio plausibly alleged that the startup copied its films.",
    "https://www.hollywoodreporter.com/business/business-news/framewise-motion-dismiss-denied-meridian-1236441001/",
)
add(
    L,
    "Reuters",
    "en",
    67,
    "Judge lets Meridian's copyright lawsuit against Framewise proceed",
    "",
    "https://www.reuters.com/legal/litigation/judge-lets-meridians-copyright-lawsuit-against-framewise-proceed-2026-11-18/",
)
gadd(
    L,
    "Deadline",
    68,
    "Framewise Loses Bid To Toss Meridian Pictures’ AI Copyright Suit",
    "https://deadline.com/2026/11/framewise-meridian-lawsuit-motion-dismiss-denied-1236597001/",
)

L = "meridian-framewise-settlement"
add(
    L,
    "The Hollywood Reporter",
    "en",
    126,
    "Meridian Pictures and Framewise Settle AI Training Lawsuit",
    "Framewise will pay an undisclosed sum and license the studio’s library going forward.",
    "https://www.hollywoodreporter.com/business/business-news/meridian-framewise-settle-lawsuit-1236445001/",
)
add(
    L,
    "Reuters",
    "en",
    127,
    "Meridian, Framewise settle copyright lawsuit over AI video training",
    "",
    "https://www.reuters.com/legal/litigation/meridian-framewise-settle-copyright-lawsuit-2026-11-21/",
)
add(
    L,
    "TechCrunch",
    "en",
    128,
    "Framewise settles with Meridian and signs a licensing deal for its film library",
    "",
    "https://techcrunch.com/2026/11/21/framewise-settles-with-meridian-licensing-deal/",
)

# ---------------------------------------------------------------- copies more than 72 h apart must not merge
L = "harbor-lights-box-office-opening"
add(
    L,
    "Variety",
    "en",
    8,
    "Box Office: ‘Harbor Lights’ Tops Quiet Weekend With $31 Million",
    "Meridian’s drama opened to $31 million from 3,600 theaters.",
    "https://variety.com/2026/film/box-office/box-office-harbor-lights-weekend-1236213402/",
)
add(
    L,
    "Deadline",
    "en",
    9,
    "‘Harbor Lights’ Opens To $31M At Weekend Box Office",
    "",
    "https://deadline.com/2026/11/box-office-harbor-lights-opening-weekend-1236589402/",
)
gadd(
    L,
    "The Wrap",
    9.5,
    "‘Harbor Lights’ Tops Box Office With $31 Million Opening",
    "https://www.thewrap.com/harbor-lights-box-office-opening-weekend-31-million/",
)

L = "harbor-lights-box-office-opening-resyndicated"
add(
    L,
    "Yahoo Entertainment",
    "en",
    95,
    "Box Office: ‘Harbor Lights’ Tops Quiet Weekend With $31 Million",
    "Meridian’s drama opened to $31 million from 3,600 theaters.",
    "https://www.yahoo.com/entertainment/box-office-harbor-lights-tops-quiet-weekend-31-million-123456789.html",
)

L = "harbor-lights-box-office-second-weekend"
add(
    L,
    "Variety",
    "en",
    176,
    "Box Office: ‘Harbor Lights’ Holds No. 1 With $14 Million in Second Weekend",
    "The drama dropped 55% and has grossed $58 million domestically.",
    "https://variety.com/2026/film/box-office/box-office-harbor-lights-second-weekend-1236218700/",
)
add(
    L,
    "Deadline",
    "en",
    177,
    "‘Harbor Lights’ Repeats At No. 1 With $14M Second Weekend",
    "",
    "https://deadline.com/2026/11/box-office-harbor-lights-second-weekend-1236600700/",
)

L = "game-strike-day-100-late-recap"
add(
    L,
    "Yahoo Entertainment",
    "en",
    200,
    "Video Game Performers’ Strike Enters Day 100",
    "",
    "https://www.yahoo.com/entertainment/video-game-performers-strike-enters-day-100-234567891.html",
)

# ---------------------------------------------------------------- same canonical URL (tracking parameters) must merge
add(
    "disney-plus-price-hike",
    "Flipboard",
    "en",
    33,
    "Disney Plus is raising its ad-free price to $18.99 a month",
    "",
    "https://www.theverge.com/news/809001/disney-plus-price-increase-ad-free-18-99?utm_source=flipboard&utm_medium=referral",
)

# ---------------------------------------------------------------- singletons that share a name or common words with the above
add(
    "kpop-sora-glass-garden",
    "Variety",
    "en",
    99,
    "K-Pop Soloist Sora Unveils ‘Glass Garden’ Music Video, Sets North American Tour",
    "",
    "https://variety.com/2026/music/news/sora-glass-garden-music-video-north-american-tour-1236213850/",
)
add(
    "soraya-mehr-salt-road",
    "Variety",
    "en",
    98,
    "Soraya Mehr’s ‘The Salt Road’ Lands at Lodestar Releasing After Toronto Bow",
    "",
    "https://variety.com/2026/film/news/soraya-mehr-the-salt-road-lodestar-releasing-1236213977/",
)
add(
    "kingdom-hearts-live-sora-voice",
    "AV Watch",
    "ja",
    105,
    "『キングダム ハーツ』20周年記念ライブ、ソラ役の声優がサプライズ出演",
    "",
    "https://www.av-techwatch.jp/news/2026/11/kingdom-hearts-anniversary-live.html",
)
add(
    "wga-bmw-championship-golf",
    "Deadline",
    "en",
    62,
    "NBC Sports And WGA Extend BMW Championship Deal Through 2032",
    "The Western Golf Association and NBC Sports extended their media rights deal for the BMW Championship.",
    "https://deadline.com/2026/11/nbc-sports-bmw-championship-western-golf-association-extension-1236598533/",
)
add(
    "wggb-ai-guidance",
    "Variety",
    "en",
    58,
    "Writers’ Guild of Great Britain Issues AI Guidance for TV and Film Writers",
    "",
    "https://variety.com/2026/tv/global/writers-guild-of-great-britain-ai-guidance-1236213611/",
)
add(
    "netflix-japan-anime-deal",
    "Nikkei",
    "ja",
    45,
    "ネットフリックス、日本のアニメ制作会社2社と複数年契約",
    "",
    "https://www.nikkei.com/article/DGXZQOGM17CD30X6A111C2000000/",
)
add(
    "openai-la-office",
    "Deadline",
    "en",
    92,
    "OpenAI Opens Los Angeles Office, Taps Talent Agency Veteran To Lead Entertainment Partnerships",
    "The company hired former CAA agent Rachel Ito to run its new Los Angeles office.",
    "https://deadline.com/2026/11/openai-los-angeles-office-entertainment-partnerships-1236598311/",
)
add(
    "sag-aftra-ai-opt-out-registry",
    "Google News",
    "en",
    80,
    "SAG‑AFTRA Opens Registry for Performers to Opt Out of AI Training - The Hollywood Reporter",
    "",
    gn(
        "https://www.hollywoodreporter.com/business/business-news/sag-aftra-ai-training-opt-out-registry-1236441907/"
    ),
)
add(
    "switch2-price-cut-rumor-denied",
    "Famitsu",
    "ja",
    160,
    "任天堂、Switch 2の値下げ報道を否定",
    "",
    "https://www.famitsu.com/article/202611/56999",
)


# ---------------------------------------------------------------- more scripts for the multilingual events
add(
    "sora-minute-long-clips",
    "ZDNet Korea",
    "ko",
    38,
    "OpenAI, 'Sora' 새 모델 공개… 최대 60초 영상 생성",
    "",
    "https://zdnet.co.kr/view/?no=20261118081020",
)
add(
    "sora-app-10m-downloads",
    "Xataka",
    "es",
    88,
    "Sora supera los 10 millones de descargas en cinco semanas",
    "",
    "https://www.xataka.com/aplicaciones/sora-supera-10-millones-descargas-cinco-semanas",
)
add(
    "sag-aftra-tentative-deal",
    "Le Figaro",
    "fr",
    77,
    "Hollywood : le syndicat des acteurs SAG-AFTRA trouve un accord provisoire avec les studios",
    "L’accord de trois ans comprend des règles sur le consentement et la rémunération pour les répliques numériques.",
    "https://www.lefigaro.fr/culture/hollywood-le-syndicat-des-acteurs-sag-aftra-trouve-un-accord-provisoire-20261122",
)
add(
    "switch2-sells-3-5-million",
    "Gamekult",
    "fr",
    58,
    "Switch 2 : Nintendo annonce 3,5 millions de consoles vendues en quatre jours",
    "",
    "https://www.gamekult.com/actualite/switch-2-nintendo-annonce-3-5-millions-de-consoles-vendues-3050912345.html",
)
add(
    "meridian-sues-framewise",
    "Nikkei",
    "ja",
    7,
    "米映画会社Meridian、AI新興Framewiseを著作権侵害で提訴",
    "",
    "https://www.nikkei.com/article/DGXZQOGN16EF00W6A111C2000000/",
)

R.sort(key=lambda r: r["published"])
with OUT.open("w", encoding="utf-8") as f:
    for r in R:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(R), len({r["label"] for r in R}), collections.Counter(r["lang"] for r in R))
print(len({r["link"] for r in R}) == len(R))
print(sum(1 for r in R if r["summary"]), "with summary")
