"""One event per real-world event per article: merging drafts across sentences.

A draft joins an earlier event of the same type when nothing tells them apart:
- hostile and material events (assault, coerce, mobilize, aid, ...): same or unknown actor, no new place
  (a draft naming a place joins only an event at the same place), no "another"/"second" strike, and no
  conflicting counts of the same kind;
- statements (accuse, reject, threaten, request, consult, agree, support): only the article's latest
  event, at most four sentences back, with the same actor (or both unknown and the same place);
- interceptions ("air defenses intercepted 552 drones") continue the latest assault.
After merging, an assault without actor takes the other side of the article's two main countries when
its target or place lies in one of them (war reports name the attacker once and then only the victim).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from schemas import Actor, Location
from services.extractor.rules.drafts import Draft
from services.extractor.rules.place_cues import PHYSICAL
from services.extractor.rules.places import fold
from services.extractor.rules.quantities import VAGUE_PLURALS

AIR_MODES = frozenset({"aerial", "drone", "missile"})
STATEMENT_TYPES = frozenset(
    {"accuse", "reject", "threaten", "request", "consult", "agree", "support", "protest"}
)


@dataclass
class ArticleEvent:
    """A merged event: its first draft (which gives the evidence) and everything learned later."""

    draft: Draft
    sentence: tuple[int, int]
    sentence_index: int
    last_index: int = -1  # the latest sentence merged in
    # a headline event's first body draft, with its sentence and number: where fold_headline anchors it
    told_first: tuple[Draft, tuple[int, int], int] | None = None

    def __post_init__(self) -> None:
        self.last_index = max(self.last_index, self.sentence_index)


def same_place(a: Location | None, b: Location | None) -> bool:
    if a is None or b is None:
        return False
    names_a = {fold(x) for x in (a.name, a.admin1) if x}
    names_b = {fold(x) for x in (b.name, b.admin1) if x}
    if a.precision == "country" or b.precision == "country":
        return a.country == b.country and a.precision == b.precision
    return bool({fold(a.name or "")} & names_b) or bool({fold(b.name or "")} & names_a)


def _same_actor(a: Actor | None, b: Actor | None, strict: bool) -> bool:
    if a is None or b is None:
        return not strict or (a is None and b is None)
    return a.country == b.country


def _compatible_sides(a: Actor | None, b: Actor | None) -> bool:
    """Sides that may be the same: one unknown, or of one country ("army shells", "the Ethiopian army")."""
    return a is None or b is None or not a.country or not b.country or a.country == b.country


def _counts_conflict(a: Draft, b: Draft, vague_ok: bool = False) -> bool:
    """Whether the two give different figures for one count; with `vague_ok`, a vague figure of `a`
    ("police detain dozens") conflicts with none."""
    seen = {(q.kind, q.object): q.value for q in a.quantities if not (vague_ok and _vague(q.text))}
    return any((q.kind, q.object) in seen and seen[(q.kind, q.object)] != q.value for q in b.quantities)


def _vague(text: str) -> bool:
    return not any(c.isdigit() for c in text) and text.split()[0].lower() in VAGUE_PLURALS


def _displacement_only(draft: Draft) -> bool:
    return bool(draft.quantities) and all(q.kind == "displaced" for q in draft.quantities)


def _joins(event: ArticleEvent, draft: Draft, index: int) -> bool:
    old = event.draft
    if old.event_type != draft.event_type or draft.new_event:
        return False
    if draft.event_type in STATEMENT_TYPES:
        if old.actor is None and draft.actor is None:
            return draft.location is None or same_place(old.location, draft.location)
        return _same_actor(old.actor, draft.actor, strict=True)
    if not _same_actor(old.actor, draft.actor, strict=False) or _counts_conflict(old, draft):
        return False
    if _displacement_only(old) != _displacement_only(draft):
        return False  # "thousands fled" is the toll of its own, not a count of the strike's
    if draft.quantities and old.quantities and old.cumulative != draft.cumulative:
        return False  # a toll since the fighting began is not the strike of the sentence before
    if old.actor and draft.recipient and old.actor.country == draft.recipient.country and not draft.actor:
        return False  # the side that lost troops is not the attacker
    target = old.recipient.country if old.recipient else old.location.country if old.location else None
    if draft.recipient and draft.recipient.country and target and target != draft.recipient.country:
        return False
    if _other_kind_of_act(old, draft):
        return False
    if draft.location is None:
        # a sentence that names neither place nor actor continues the event; one with counts of its
        # own further on in the article reports another ("Pakistan said 40 civilians were killed")
        near = index - event.last_index <= 2
        return near or not (draft.quantities or draft.actor)
    if old.location is None:
        # a headline or lead without a place, then the sentence that names it: one event when the
        # same actor is named in both, a sentence or two apart
        return (
            old.actor is not None
            and draft.actor is not None
            and old.actor.country == draft.actor.country
            and index - event.last_index <= 2
        )
    return same_place(old.location, draft.location)


def _other_kind_of_act(old: Draft, draft: Draft) -> bool:
    """Two acts of one type that are no one event: an advance on the ground and an air strike, an
    abduction and an attack of another kind, a named side's detentions and its bans."""
    modes = {old.mode, draft.mode}
    if modes & {"ground"} and modes & AIR_MODES:
        return True
    if old.event_type == "assault" and (old.mode == "abduct") != (draft.mode == "abduct") and draft.mode:
        return True  # "seven officers were kidnapped" after "gunmen set cars on fire"
    kinds = {_coercion_kind(old), _coercion_kind(draft)} - {None}
    return draft.event_type == "coerce" and len(kinds) > 1 and draft.actor is not None


# modes of coercion that are one kind of act: holding people, and restricting what they may do
COERCION_KINDS = {"arrest": "hold", "detain": "hold", "ban": "limit", "restrict": "limit", "curfew": "limit",
                  "martial-law": "limit", "deport": "expel", "censor": "censor", "confiscate": "seize",
                  "obstruct": "obstruct"}  # fmt: skip


def _coercion_kind(draft: Draft) -> str | None:
    if any(q.kind == "detained" for q in draft.quantities):
        return "hold"  # "23 people were held for blocking traffic": a detention
    return COERCION_KINDS.get(draft.mode or "")


def _places_fit(head: Location | None, body: Location | None) -> bool:
    """A headline's place and the body's: one unknown, the same, or the headline's country around it
    ("ELN rebels free 12 hostages in northern Colombia", then the department of Arauca)."""
    if head is None or body is None or same_place(head, body):
        return True
    return head.precision == "country" and head.country == body.country


def fold_headline(events: list[ArticleEvent], headline: frozenset[int]) -> list[ArticleEvent]:
    """A headline's events (`headline`: its sentence numbers) are summaries of the body's: each joins the
    first body event of its type with a compatible actor, which keeps its own (fuller) evidence."""
    if not headline:
        return events
    body_start = max(headline)
    kept: list[ArticleEvent] = []
    folded: set[int] = set()
    for event in events:
        if id(event) in folded:
            continue
        if event.sentence_index not in headline:
            kept.append(event)
            continue
        head = event.draft
        body = next(
            (
                e
                for e in events
                if e.sentence_index > body_start
                and e.draft.event_type == head.event_type
                and _compatible_sides(head.actor, e.draft.actor)
                and _places_fit(head.location, e.draft.location)
                and not _counts_conflict(head, e.draft, vague_ok=True)
                and (_displacement_only(head) or not _displacement_only(e.draft))
            ),
            None,
        )
        told = event.told_first
        if told is not None and (body is None or told[2] < body.sentence_index):
            _anchor_in_body(event, *told)  # it took in the body's first telling: it is that event now
            if body is not None:  # and the body event it would have joined tells it too
                _absorb(event, body.draft, body.last_index)
                folded.add(id(body))
            kept.append(event)
            continue
        if body is None:
            kept.append(event)
            continue
        if body.draft.actor is None or (not body.draft.actor.country and head.actor is not None):
            body.draft.actor = head.actor  # "Bolivian troops ram ...", then "Soldiers fired tear gas"
        body.draft.recipient = body.draft.recipient or head.recipient
        if head.event_type in PHYSICAL:  # statements are placed only where they were made
            body.draft.location = body.draft.location or head.location
        have = {(q.kind, q.value) for q in body.draft.quantities}
        kinds = {q.kind for q in body.draft.quantities}
        body.draft.quantities.extend(
            q
            for q in head.quantities
            if (q.kind, q.value) not in have and not (q.kind in kinds and _vague(q.text))
        )
    return kept


def _anchor_in_body(event: ArticleEvent, body: Draft, sentence: tuple[int, int], index: int) -> None:
    """A headline event that took in a body draft: the body sentence is its evidence, and what the body
    says of its place and sides wins over the headline's ("Iran hits back on Tel Aviv", then "missiles
    slammed into apartment blocks in Ramat Gan")."""
    head = event.draft
    event.sentence, event.sentence_index = sentence, index
    head.trigger, head.time, head.claimant = (
        body.trigger,
        body.time or head.time,
        body.claimant or head.claimant,
    )
    head.location = body.location or head.location
    if body.actor is not None and body.actor.country:
        head.actor = body.actor
    head.recipient = body.recipient or head.recipient


def _absorb(event: ArticleEvent, draft: Draft, index: int, keep_place: bool = False) -> None:
    event.last_index = max(event.last_index, index)
    old = event.draft
    known = {(q.kind, q.object, q.value) for q in old.quantities}
    unnamed = {(q.kind, q.value) for q in old.quantities if q.object is None}
    named = {(q.kind, q.value) for q in old.quantities}
    for q in draft.quantities:  # "killing at least 12", then "12 people were killed": one count
        key = (q.kind, q.value)
        if (q.kind, q.object, q.value) in known or key in unnamed or (q.object is None and key in named):
            continue
        old.quantities.append(q)
    old.actor = old.actor or draft.actor
    old.recipient = old.recipient or draft.recipient
    old.location = old.location or (None if keep_place else draft.location)
    old.mode = old.mode or draft.mode
    old.time = old.time or draft.time
    old.claimant = old.claimant or draft.claimant


def add_draft(
    events: list[ArticleEvent],
    draft: Draft,
    sentence: tuple[int, int],
    index: int,
    headline: frozenset[int] = frozenset(),
) -> None:
    """Add a sentence's draft to the article's events, or absorb it into an earlier event it tells
    again; `headline` holds the headline's sentence numbers (see `told_first`)."""

    def absorb(event: ArticleEvent, keep_place: bool = False) -> None:
        if event.told_first is None and event.sentence_index in headline and index not in headline:
            event.told_first = (draft, sentence, index)
        _absorb(event, draft, index, keep_place)

    owners = {q.owner for q in draft.quantities if q.owner and q.kind in {"intercepted", "launched"}}
    if owners and (draft.actor is None or draft.actor.country not in owners):
        # "air defenses shot down 87 of 101 drones launched by Russia": the attack is the weapons' side's
        country = sorted(owners)[0]
        draft.recipient, draft.actor = (
            draft.actor,
            Actor(text="", name=None, country=country, sector="military"),
        )
    interceptions = bool(draft.quantities) and all(q.kind == "intercepted" for q in draft.quantities)
    if interceptions and (barrage := _barrage_answered(events, owners, index)) is not None:
        absorb(barrage, keep_place=True)
        return
    if draft.event_type in STATEMENT_TYPES:
        # statements only continue the article's latest event, a few sentences back at most
        latest = events[-1] if events else None
        if latest is not None and index - latest.sentence_index <= 4 and _joins(latest, draft, index):
            absorb(latest)
            return
        events.append(ArticleEvent(draft, sentence, index))
        return
    for event in events:
        if _joins(event, draft, index):
            absorb(event)
            return
    events.append(ArticleEvent(draft, sentence, index))


def _barrage_answered(events: list[ArticleEvent], owners: set[str], index: int) -> ArticleEvent | None:
    """The barrage interceptions answer: by the weapons' side, else the latest with launch counts, else
    an assault of the last few sentences."""
    assaults = [e for e in reversed(events) if e.draft.event_type == "assault"]
    for event in assaults:
        actor = event.draft.actor
        if owners and actor is not None and actor.country in owners:
            return event
    for event in assaults:
        if any(q.kind == "launched" for q in event.draft.quantities):
            return event
    return next((e for e in assaults if index - e.sentence_index <= 3), None)


def _sole_country(countries: Counter[str]) -> str | None:
    """The one country an article is about: no other is named a quarter as often."""
    top = countries.most_common(2)
    if not top or (len(top) == 2 and 4 * top[1][1] >= top[0][1]):
        return None
    return top[0][0]


def infer_attackers(events: list[ArticleEvent], countries: Counter[str]) -> None:
    """Give assaults without an attacker's country one from the article.

    - Two main countries (a war between states): the side opposite the target's, when it is seen attacking.
    - Otherwise, when every assault of the article whose attacker is known has one country and the event
      happens there (an internal conflict: junta, rebels and gangs are coded by the country they operate
      in), that country; also when no attacker is known and the article is about that one country
      (gunmen nobody names: ACLED's unidentified armed group of the country).
    """
    top = [c for c, _ in countries.most_common(2)]
    sole = _sole_country(countries)
    known = {
        e.draft.actor.country
        for e in events
        if e.draft.event_type == "assault"
        and e.draft.actor is not None
        and e.draft.actor.country
        and e.draft.actor.country != "NGO"  # a rights group telling of a killing is no side of it
    }
    for event in events:
        draft = event.draft
        if draft.event_type != "assault" or (draft.actor is not None and draft.actor.country):
            continue
        target = (draft.recipient.country if draft.recipient else None) or (
            draft.location.country if draft.location else None
        )
        opposite = (top[1] if target == top[0] else top[0]) if len(top) == 2 and target in top else None
        # the other side is seen attacking, or (nobody is) named often enough to be a side of a war
        if opposite is not None and (
            opposite in known
            or (not known and draft.mode in AIR_MODES)  # drones over a country come from abroad
            or (not known and countries[opposite] >= 2 and 4 * countries[opposite] >= countries[top[0]])
        ):
            # (a country the article names but that attacks nowhere in it, as the host of talks, is no side)
            draft.actor = Actor(text="", name=None, country=opposite, sector="military")
            if draft.recipient is None:
                draft.recipient = Actor(text="", name=None, country=target, sector=None)
        elif (
            known == {target} or (not known and target is not None and sole == target)
        ) and draft.location is not None:
            draft.actor = Actor(text="", name=None, country=target, sector=None)
