"""Line-level boilerplate removal for extracted article text.

Trafilatura drops most page chrome by markup; what it keeps are lines whose *wording* gives them away:
calls to subscribe or share, "Advertisement", "Read more: <headline>", image credits, copyright and
credit lines, author bios, embedded-tweet attributions. The patterns describe that wording in general
(mostly English, with the common European equivalents); none names a site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_I = re.IGNORECASE

# A whole line that is only one of these words or short phrases.
_ALONE = re.compile(
    r"^[\W_]*(?:advertisement|advertising|advert|ad|anzeige|werbung|publicidad|publicité|pubblicità|"
    r"sponsored(?: content)?|promoted(?: content)?|paid content|"
    r"share|share this(?: article| story| post)?|share on \w+|tweet|e-?mail|print|whatsapp|copy link|"
    r"comments?|\d+ comments?|view comments|show comments|leave a comment|add a comment|"
    r"all\.{2,}|more\.*|also:?|see tweets\s*:?|loading\.*|close|menu|home|search|sign in|log ?in|"
    r"skip to (?:main )?content|back to top|"
    r"article continues (?:below|after)(?: this)?(?: ad(?:vertisement)?)?|"
    r"(?:story|article) continues below(?: advertisement)?|continue reading(?: below)?|"
    r"scroll (?:down )?to continue(?: reading)?|"
    r"(?:popular|trending|most read|most popular|most viewed|top stories|latest news|editor'?s picks)"
    r"(?: now)?|"
    r"related(?: articles?| stories| posts?| coverage| content| reading| news| links)?|"
    r"(?:you )?(?:may|might) also (?:like|enjoy|be interested in)|recommended(?: for you)?|"
    r"don'?t miss|must read|read next|up next|what to read next|more stories|more (?:from|on) .{1,40}"
    r")[\W_]*$",
    _I,
)

# "Read more: <a headline>", "RELATED: ...", "[Related: ...]", "SEE MORE: ..."
_PREFIXED_LINK = re.compile(
    r"^[\[(*\s]*(?:read more|read also|also read|read|see also|see more|more|related(?: \w+)?|"
    r"recommended|watch|listen|don'?t miss|must read|trending|top stories|also on [\w.]+|"
    r"lesen sie auch|mehr zum thema|lire aussi|à lire aussi|leia também|leia mais|lee también|"
    r"leggi anche|vea también)\s*[:|»>–—-]",
    _I,
)

# Calls to action: the strong words mark a short line by themselves, the weak ones only after an opening.
_CTA_STRONG = re.compile(
    r"\b(?:sign(?:ing)? up|subscribe|newsletters?|inbox|commenting forum|join the conversation|"
    r"let us know in the comments|tell us what you think|enable javascript|try again later|"
    r"something went wrong|follow (?:us|@)|delivered (?:to|right to|through) your)\b",
    _I,
)
_CTA_WEAK = re.compile(
    r"\b(?:subscription|subscribers?|register|log ?in|download (?:the|our)|install the|bookmark|"
    r"click here|tap here|premium|app|free|breaking news|alerts?|updates?|twitter|facebook|instagram)\b",
    _I,
)
_CTA_OPENING = re.compile(
    r"^[\W_]*(?:please |for more [\w' ]{1,40}, )?(?:(?:make|be) sure to )?"
    r"(?:sign up|subscribe|register|join|click|tap|get|download|"
    r"install|follow|start|want|be the first|don'?t miss|never miss|stay (?:up to date|informed|"
    r"connected)|like this|enjoy|love|do you|what do you|tell us|let us know|become|support|unlock|"
    r"receive|oops|there'?s plenty more|have a tip|send (?:us )?tips|already a subscriber|"
    r"thank(?:s| you) for (?:reading|signing|subscribing)|you can (?:also )?(?:follow|read|sign|subscribe)|"
    r"find us on|listen and subscribe|look out for|you'?re reading|email)\b",
    _I,
)

_CREDIT = re.compile(
    r"^[\[(\s]*(?:(?:photo|image|picture|foto|bild|illustration|video|graphic|source images?)s?"
    r"(?: credit)?s?\s*(?:by|via|:|=|©|courtesy)|(?:credit|credits|photo credit)\s*:|"
    r"\(?(?:additional )?(?:reporting|writing|editing|compiled|edited|produced|research) by\b|"
    r"©|\(c\) |copyright\b|all rights reserved|사진\s*=)",
    _I,
)
_AGENCY = re.compile(
    r"\b(?:getty images|shutterstock|istock(?:photo)?|alamy|ap photo|afp|epa|reuters|"
    r"associated press|picture alliance|dpa|imago)\b",
    _I,
)
_READING_TIME = re.compile(
    r"^(?:\d+\s*(?:-| )?min(?:ute)?s?\.? read|reading time|read time|tempo de leitura|temps de lecture|"
    r"lesezeit|tiempo de lectura|tempo di lettura)\b",
    _I,
)
_TWEET_ATTRIBUTION = re.compile(r"^[—–-]\s*.{1,80}\(@\w{1,30}\)\s+\w+ \d{1,2}, \d{4}$")
_TWEET_BODY = re.compile(r"pic\.twitter\.com/\w+|https://t\.co/\w+")
_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]+ ){1,3}(?:is|was|has been) (?:an?|the) (?:[\w,-]+ ){0,6}?(?:writer|reporter|editor|"
    r"correspondent|journalist|columnist|contributor|analyst|producer|intern|freelancer|critic|"
    r"news writer|staff writer)\b"
)
_COOKIES = re.compile(r"\bcookies?\b.*\b(?:use|accept|consent|opt[- ]out|settings|personali[sz]e)\b", _I)
_NO_WORDS = re.compile(r"^[\W_]*$")
_BARE_URL = re.compile(r"^\S*(?:https?://|www\.)\S+$", _I)
_REPRINT = re.compile(
    r"\bfor (?:your )?personal,? non-?commercial use\b|\bpresentation-ready copies\b|"
    r"\bmay not be (?:published|reproduced|redistributed)|\bnot to be redistributed\b",
    _I,
)

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_SHORT = 300  # boilerplate lines are short; a long paragraph that mentions "subscribe" is content
_BIO_LINES = 3  # an author's bio is among the last lines
_REPEAT_MIN_WORDS = 8  # shorter repeats are table headers, list items and labels, kept where they stand


def is_boilerplate(line: str, *, at_end: bool = False) -> bool:
    """True for a line whose wording marks it as page furniture rather than article text.

    `at_end`: the line is among the last few of the text, where "<Name> is a reporter for ..." is the
    author's bio (earlier in an article it is news about that person).
    """
    text = line.strip()
    if not text or _NO_WORDS.match(text) or _ALONE.match(text) or _BARE_URL.match(text):
        return True
    if len(text) > _SHORT:
        return False
    if _PREFIXED_LINK.match(text) or _READING_TIME.match(text) or _TWEET_ATTRIBUTION.match(text):
        return True
    if _CTA_STRONG.search(text) or _CTA_WEAK.search(text):
        sentences = _SENTENCE_END.split(text)
        if any(_CTA_OPENING.match(s) for s in sentences if _CTA_STRONG.search(s) or _CTA_WEAK.search(s)):
            return True  # "... Sign up to get it in your inbox."
        if _CTA_STRONG.search(text) and text.count(" ") < 8:
            return True  # "Newsletter sign-up", "Subscribe now"
    if _CREDIT.match(text) or (len(text) < 120 and _AGENCY.search(text) and "/" in text):
        return True
    if _TWEET_BODY.search(text) or _COOKIES.search(text) or _REPRINT.search(text):
        return True
    return at_end and bool(_BIO.match(text))


def _key(line: str) -> str:
    return " ".join(re.findall(r"\w+", line.lower()))


def clean_lines(lines: Iterable[str]) -> list[str]:
    """The lines without boilerplate and without repeats of an earlier paragraph."""
    seen: set[str] = set()
    kept: list[str] = []
    lines = list(lines)
    for index, line in enumerate(lines):
        if is_boilerplate(line, at_end=index >= len(lines) - _BIO_LINES):
            continue
        key = _key(line)
        if key.count(" ") + 1 >= _REPEAT_MIN_WORDS:
            if key in seen:
                continue
            seen.add(key)
        kept.append(line.rstrip())
    return kept
