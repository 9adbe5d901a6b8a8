"""From one parsed sentence to draft events: triggers grouped into events, with counts, actors and places.

Rules, in order:
1. Counts attach to the trigger that governs them (else the nearest one); casualty counts without any
   trigger make an assault.
2. Weak triggers (see triggers.py) are dropped unless they carry a count, a place or an actor of their own.
3. A trigger inside another trigger's phrase or clause is absorbed by it ("denied hitting civilians" is one
   reject), unless it carries counts of another type ("agreements such as a prisoner swap of 1,200").
4. Remaining triggers of one type in the sentence merge unless they name different places.
5. Claims without details about hostile acts ("X claims that Y is waging an invasion", quotes of the
   same kind) become accusations by the speaker; "will/would attack" becomes a threat.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from schemas import Actor
from services.extractor.rules.arguments import (
    ArticleState,
    noun_actor,
    trigger_actor,
    trigger_recipient,
)
from services.extractor.rules.drafts import VERBAL, Draft, merge_same_type
from services.extractor.rules.grounding import deployed_forces, ground_roles
from services.extractor.rules.history import dated_in_past
from services.extractor.rules.lexicon import TriggerSense, load_lexicon
from services.extractor.rules.nonevents import accidental, advisory, forecast
from services.extractor.rules.ordinary_crime import ordinary_crime
from services.extractor.rules.place_cues import PHYSICAL
from services.extractor.rules.places import PlaceMention
from services.extractor.rules.quantities import FoundQuantity, find_quantities
from services.extractor.rules.statements import (
    assign_told_deed,
    claimant_of_deed,
    demand_sides,
    is_vow_of_force,
    under_denial,
)
from services.extractor.rules.tokens import subtree_indices
from services.extractor.rules.triggers import Trigger, find_triggers, lemma
from services.extractor.rules.where import claimant_of, is_country, pick_location

HOSTILE = frozenset({"assault", "coerce"})
STATEMENTS = frozenset({"accuse", "reject", "threaten", "request", "consult", "agree", "support", "protest"})
CASUALTY_KINDS = frozenset({"killed", "injured", "casualties"})
# displacement is coded as the violence's toll, and only when counted ("400,000 people were displaced",
# "thousands fled"): "fled the country in 2019" or "the displaced" alone are no event; "hurt" is an
# injury only when counted ("50 people were hurt", not "hurt sales")
COUNTING_NOUNS = frozenset({"hundred", "thousand", "dozen", "score", "ten", "million", "group", "crowd"})
COUNT_ONLY = frozenset({"displace", "flee", "uproot", "hurt"})
PROMISABLE_COUNTS = frozenset({"retreat", "concede"})  # "agreed to release 20 prisoners": still a promise
MATERIAL = frozenset({"assault", "coerce", "mobilize", "aid", "retreat", "sanction"})


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:
        token = token.head
        depth += 1
    return depth


def _ancestor_trigger(trigger: Trigger, by_index: dict[int, Trigger]) -> Trigger | None:
    for ancestor in [trigger.anchor, *trigger.anchor.ancestors][
        1 if trigger.anchor.i == trigger.token.i else 0 :
    ]:
        if ancestor.i in by_index and by_index[ancestor.i] is not trigger:
            return by_index[ancestor.i]
    return None


def _attach_quantities(
    doc: Doc, triggers: list[Trigger], quantities: list[FoundQuantity]
) -> dict[int, list[FoundQuantity]]:
    by_index = {t.i: t for t in triggers}
    attached: dict[int, list[FoundQuantity]] = {}
    for quantity in quantities:
        owner: Trigger | None = None
        for node in [quantity.governor, quantity.counted, *quantity.counted.ancestors]:
            if node is not None and node.i in by_index:
                owner = by_index[node.i]
                break
        if owner is None and triggers:
            owner = min(triggers, key=lambda t: abs(t.i - quantity.counted.i))
        if owner is None and quantity.kind in CASUALTY_KINDS:
            token = quantity.governor or quantity.counted
            owner = Trigger(token, "assault", None)
            triggers.append(owner)
            by_index[token.i] = owner
        if owner is not None:
            attached.setdefault(owner.i, []).append(quantity)
    return attached


def _has_own_details(
    trigger: Trigger,
    attached: dict[int, list[FoundQuantity]],
    mentions: list[PlaceMention],
    state: ArticleState,
) -> bool:
    if attached.get(trigger.i):
        return True
    subtree = subtree_indices(trigger.token)
    if any(m.start in subtree and m.start != trigger.i and not is_country(m) for m in mentions):
        return True
    return noun_actor(trigger.token, state) is not None


def _group(triggers: list[Trigger], attached: dict[int, list[FoundQuantity]]) -> list[Trigger]:
    """Absorb triggers into the trigger above them; return the roots, each with its members."""
    by_index = {t.anchor.i: t for t in triggers} | {t.i: t for t in triggers}
    roots: list[Trigger] = []
    for trigger in sorted(triggers, key=lambda t: _depth(t.token)):
        direct = above = _ancestor_trigger(trigger, by_index)
        while above is not None and above.absorbed_into is not None:
            above = above.absorbed_into
        own_counts = bool(attached.get(trigger.i))
        coordinated = (  # "struck targets and denied hitting civilians": two predicates, two events
            above is not None
            and trigger.token.dep_ == "conj"
            and trigger.token.head.i == above.anchor.i
            and trigger.token.pos_ == above.token.pos_ == "VERB"
            and trigger.event_type != above.event_type
        )
        reported = (  # "denies backing the rebels and says its forces attacked ...": a deed of its own
            above is not None
            and trigger.event_type in MATERIAL
            and above.event_type in STATEMENTS
            and trigger.token.pos_ == "VERB"
            and any(c.dep_ in {"nsubj", "nsubjpass"} for c in trigger.token.children)
        )
        trigger.content = direct is not None and under_denial(trigger, direct)
        reported = reported and not trigger.content
        if (
            above is not None
            and not coordinated
            and not reported
            and not (own_counts and trigger.event_type != above.event_type)
        ):
            trigger.absorbed_into = above
            above.members.append(trigger)
            continue
        if above is not None and own_counts and not attached.get(above.i) and above.event_type in {"agree"}:
            above.weak = True  # "agreements such as a prisoner swap ...": the elaboration is the event
        roots.append(trigger)
    return [
        r
        for r in roots
        if not (
            r.weak
            and r.absorbed_into is None
            and any(
                m for m in triggers if m.absorbed_into is None and m is not r and r.token in m.token.ancestors
            )
        )
    ]


def _clause_verb(trigger: Trigger) -> Token:
    token = trigger.anchor
    return token if token.pos_ in {"VERB", "AUX"} or token.head.i == token.i else token.head


def _over_a_period(verb: Token) -> bool:
    """ "had killed 16 since Wednesday", "so far", "to date", "in total", "over the past week"."""
    for child in verb.children:
        low = child.lower_
        if low == "since" and child.dep_ == "prep":
            return True
        if low in {"far", "date", "total", "all"} and child.dep_ in {"advmod", "prep", "npadvmod"}:
            return low != "all" or any(g.lower_ == "in" for g in child.children)
        if low in {"over", "during", "in"} and any(
            g.dep_ == "pobj" and any(m.lower_ in {"past", "last"} for m in g.children) for g in child.children
        ):
            return True
    return False


def _counted(noun: Token) -> Token:
    """ "hundreds of students" -> students: the people a quantifier noun counts."""
    counting = load_lexicon().cues["quantifier_nouns"] | COUNTING_NOUNS
    if lemma(noun) not in counting and noun.lower_.rstrip("s") not in counting and not noun.like_num:
        return noun
    for prep in (c for c in noun.children if c.lower_ == "of"):
        for counted in (g for g in prep.children if g.dep_ == "pobj"):
            return counted
    return noun


def _reframe(draft: Draft, trigger: Trigger) -> None:
    """PLOVER's reading of intentions: promised cooperation is agree, refused cooperation is reject,
    an act failed or refused is negated, announced force is threaten, what someone must do is
    request, obstruction by protesters is protest."""
    cues = load_lexicon().cues
    verb = _clause_verb(trigger)
    aux = {c.lower_ for c in verb.children if c.dep_ == "aux"}
    chain = [verb, *list(verb.ancestors)[:2]] if verb.dep_ in {"xcomp", "acl", "ccomp", "advcl"} else [verb]
    refused = verb.dep_ == "xcomp" and lemma(verb.head) in cues["negating_verbs"]
    if (draft.negated or refused) and draft.event_type in cues["cooperative_types"] | {"agree"}:
        draft.event_type, draft.mode, draft.negated = "reject", None, False
        return
    draft.negated = draft.negated or refused  # "have failed to prosecute": no prosecution happened
    if (
        draft.event_type in cues["forceful_types"] - {"mobilize"}
        and lemma(verb.head) == "prepare"
        and verb.dep_ == "xcomp"
    ):
        draft.event_type, draft.mode = "mobilize", "weapons"
        return
    promised = bool(aux & {"will", "would", "'ll"}) or any(
        lemma(t) in cues["promise_words"] and t.i != verb.i for t in chain
    )
    conditional = any(
        c.dep_ == "advcl" and any(m.lower_ in cues["conditional_marks"] for m in c.children)
        for t in chain
        for c in t.children
    )
    modals = [c for t in chain for c in t.children if c.dep_ == "aux" and c.lower_ in cues["request_modals"]]
    # "Should Israel continue ..., it would ...": a modal before its subject makes a condition, not a demand
    inverted = any(s.dep_ in {"nsubj", "nsubjpass"} and s.i > m.i for m in modals for s in m.head.children)
    if draft.event_type != "request" and modals and not inverted and not draft.quantities:
        draft.event_type, draft.mode = "request", None
    elif promised and not draft.negated and (not draft.quantities or draft.event_type in PROMISABLE_COUNTS):
        if draft.event_type in cues["forceful_types"] or (draft.event_type == "retreat" and conditional):
            draft.event_type, draft.mode, draft.hypothetical = "threaten", None, False
        elif draft.event_type in cues["cooperative_types"]:
            draft.event_type, draft.mode, draft.hypothetical = "agree", None, False
    if (
        draft.event_type == "protest"
        and lemma(trigger.token) == "protest"
        and draft.actor is not None
        and draft.actor.sector == "government"
    ):  # "the foreign ministry protested to Britain", "Serbia lodged a protest": a diplomatic complaint
        draft.event_type, draft.mode = "accuse", None
        return
    if draft.event_type == "coerce" and draft.mode in {"obstruct", None}:
        subjects = [_counted(c) for c in verb.children if c.dep_ == "nsubj"]
        official = draft.actor is not None and draft.actor.sector in {"government", "military", "police"}
        people = (
            set(load_lexicon().quantity["people"]) | cues["protester_nouns"] | {"rebel", "militant", "group"}
        )
        by_people = bool(subjects) and (lemma(subjects[0]) in people or subjects[0].pos_ == "PROPN")
        if by_people and (
            lemma(subjects[0]) in cues["protester_nouns"] or (draft.mode == "obstruct" and not official)
        ):
            draft.event_type, draft.mode = "protest", "obstruct"


def _first_sides(
    root: Trigger, members: list[Trigger], state: ArticleState
) -> tuple[Actor | None, Actor | None]:
    """(actor, recipient named as the subject) of the first member that names one; a demanded deed's
    member does not give the demanding side."""
    experiencer = load_lexicon().cues["experiencer_verbs"]
    for member in (m for m in members if m is root or not m.content):
        actor, subject_recipient = trigger_actor(
            member.token, state, experiencer, root.event_type in STATEMENTS
        )
        if actor is not None or subject_recipient is not None:
            return actor, subject_recipient
    return None, None


def _told_sides(draft: Draft, root: Trigger, state: ArticleState, quoted_speaker: Actor | None) -> None:
    """The sides of a deed told as the other side's ("Iran will pay", X said) or of a demand."""
    told = assign_told_deed(draft.event_type, root.token, draft.actor, state, quoted_speaker)
    if told is not None:
        draft.actor, draft.recipient = told[0], told[1] or draft.recipient
    elif draft.event_type == "request":
        demand = demand_sides(_clause_verb(root), draft.actor, state, quoted_speaker)
        if demand is not None:
            draft.actor, draft.recipient = demand[0], demand[1] or draft.recipient


def sentence_drafts(
    doc: Doc, mentions: list[PlaceMention], state: ArticleState, quoted_speaker: Actor | None
) -> list[Draft]:
    cues = load_lexicon().cues
    triggers = find_triggers(doc)
    quantities = find_quantities(doc, any(t.event_type == "assault" for t in triggers))
    attached = _attach_quantities(doc, triggers, quantities)
    kept = [t for t in triggers if not t.weak or _has_own_details(t, attached, mentions, state)]
    kept = [t for t in kept if not t.background or attached.get(t.i)]
    kept = [t for t in kept if attached.get(t.i) or lemma(t.token) not in COUNT_ONLY]
    kept = [t for t in kept if not accidental(t) and not advisory(t) and not forecast(t)]
    kept = [t for t in kept if not ordinary_crime(t)]
    # "Moscow, which denies targeting civilians": a deed under a denial that is itself background
    denials = {t.i for t in triggers if t.event_type == "reject" and t not in kept}
    if denials:
        kept = [t for t in kept if not any(a.i in denials for a in list(t.token.ancestors)[:3])]
    kept = [t for t in kept if not dated_in_past(t.token, state.published_at)]
    drafts: list[Draft] = []
    for root in _group(kept, attached):
        members = [root, *root.members]
        counts = [q for m in members for q in attached.get(m.i, [])]
        sense = TriggerSense(root.event_type, root.mode)
        actor, subject_recipient = _first_sides(root, members, state)
        recipient = trigger_recipient([m.token for m in members], state, actor) or subject_recipient
        location = pick_location(
            doc, [m.token for m in members], mentions, state, statement=root.event_type in VERBAL
        )
        draft = Draft(
            sense.event_type,
            sense.mode,
            root.token,
            counts,
            actor,
            recipient,
            location,
            claimant_of(doc, root.token),
            root.negated,
            root.hypothetical,
            members=members,
        )
        for quantity in counts:
            quantity.claimant = quantity.claimant or draft.claimant
        draft.new_event = any(c.lower_ in cues["new_event_words"] for m in members for c in m.token.children)
        draft.depth = _depth(root.anchor)
        draft.cumulative = bool(counts) and _over_a_period(_clause_verb(root))
        _reframe(draft, root)
        if draft.negated and draft.event_type in PHYSICAL | {"sanction", "aid"}:
            continue  # "no officers entered the town", "did not subscribe to sanctions": nothing happened
        if is_vow_of_force(draft.event_type, root.token):
            draft.event_type, draft.mode = "threaten", None
        if deployed_forces(draft.event_type, draft.actor, draft.recipient):
            draft.actor, draft.recipient = draft.recipient, None
        draft.actor = ground_roles(
            draft.event_type, draft.mode, draft.actor, draft.recipient, draft.location, state
        )
        if draft.event_type != sense.event_type and draft.event_type in STATEMENTS and draft.actor is None:
            draft.actor, _ = trigger_actor(root.token, state, cues["experiencer_verbs"], True)
        _told_sides(draft, root, state, quoted_speaker)
        no_details = not counts and (location is None or location.precision == "country")
        # "sanctioning the court threatened its independence, Costa said": a claim about an act
        if draft.event_type == "threaten" and _threat_by_an_act(root.token):
            draft.event_type = "accuse"  # the speaker's (the clause names no side that threatens)
        if draft.event_type in HOSTILE and no_details:
            speaker = claimant_of_deed(root, actor, state, quoted_speaker)
            if speaker is not None:  # "X claims Y is waging an invasion": an accusation, not the deed
                draft.recipient = actor or draft.recipient
                draft.event_type, draft.mode, draft.actor, draft.location = "accuse", None, speaker, None
        drafts.append(draft)
    protests = [d for d in drafts if d.event_type == "protest"]
    if protests:  # "protesters gathered to demand ...": the demand is what the protest is about
        drafts = [d for d in drafts if d.event_type != "request" or d.quantities]
    return merge_same_type(drafts)


def _threat_by_an_act(token: Token) -> bool:
    """ "sanctioning the court threatened its independence": the threatening subject is an act."""
    if lemma(token) != "threaten":
        return False
    subjects = [c for c in token.children if c.dep_ in {"nsubj", "csubj"}]
    return bool(subjects) and subjects[0].dep_ == "csubj"
