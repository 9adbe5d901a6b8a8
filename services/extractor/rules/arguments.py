"""Who did it and to whom: the actor and recipient of one trigger, read off the dependency parse."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from spacy.tokens import Token

from schemas import Actor, EventTime
from services.extractor.rules.actors import PersonMemory, load_actor_table, resolve_words
from services.extractor.rules.dateline import sentence_dateline
from services.extractor.rules.places import fold
from services.extractor.rules.tokens import subtree_indices
from services.extractor.rules.triggers import NOUN_POS, lemma

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
INHERIT_DEPS = frozenset({"xcomp", "conj", "advcl", "acl", "pcomp"})
RECIPIENT_PREPS = frozenset(
    {"against", "on", "at", "with", "toward", "towards", "upon", "into", "inside", "to", "for"}
)
PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
# Actors named by their role alone ("the junta", "police", "rebels") act for the country where they are.
ROLE_SECTORS = frozenset({"government", "military", "police", "rebel"})
POSSESSIVES = frozenset({"its", "their", "our"})


@dataclass
class ArticleState:
    """What the engine remembers while reading one article."""

    published_at: datetime | None
    memory: PersonMemory = field(default_factory=PersonMemory)
    countries: Counter[str] = field(default_factory=Counter)
    last_time: EventTime | None = None
    last_speaker: Actor | None = None
    home_country: str | None = None  # the dateline's country, else the one most named
    last_group: Actor | None = None  # the armed group named last: "the group" / "the militia" after it
    first_sentences: list[str] = field(default_factory=list)  # read for the article's share of reports


# "the group fired another missile" after "the Houthis ...": a definite role noun names the group again
GROUP_ANAPHORS = frozenset({"group", "militia", "movement", "rebels", "militants", "insurgents", "fighters"})


def _dateline_tokens(token: Token) -> int:
    """How many tokens of the token's sentence belong to a dateline opening it ("GOMA, Democratic
    Republic of Congo, Jan 28 (Newswire) -"): the parser often hangs them below the first subject."""
    data = token.doc.user_data
    if "dateline_tokens" not in data:
        found = sentence_dateline(token.doc)
        data["dateline_tokens"] = sum(1 for t in token.doc if t.idx < found.end) if found else 0
    count = data["dateline_tokens"]
    assert isinstance(count, int)
    return count


def np_words(token: Token) -> list[Token]:
    """The noun phrase of a token: its subtree without relative clauses, clausal modifiers and a
    dateline the parser hung below it."""
    cut = [c for c in token.children if c.dep_ in {"relcl", "acl", "advcl", "ccomp"}]
    skip: set[int] = set().union(*map(subtree_indices, cut))
    first = _dateline_tokens(token)  # "GOMA, Congo, Jan 28 - M23 rebels said": GOMA parsed as subject
    return [t for t in token.subtree if t.i not in skip and t.i >= first]


def np_core(token: Token) -> list[Token]:
    """The noun phrase without its prepositional modifiers other than "of": "14 people at a university
    in Prague" names people, not the Czech state; "the government of Sudan" keeps its country."""
    cut = [
        c
        for c in token.children
        if c.dep_ in {"relcl", "acl", "advcl", "ccomp"} or (c.dep_ == "prep" and c.lower_ != "of")
    ]
    skip: set[int] = set().union(*map(subtree_indices, cut))
    return [t for t in token.subtree if t.i not in skip]


def _hyphen_joined(tokens: list[Token]) -> list[str]:
    """Words of a phrase with hyphenated names whole again ("al - Qaeda" -> "al-Qaeda") when the whole
    is a name the actor table knows; "Kenyan-led" stays "Kenyan", "-", "led"."""
    known = load_actor_table().first_words
    words: list[str] = []
    k = 0
    while k < len(tokens):
        if k + 2 < len(tokens) and tokens[k + 1].text == "-" and not tokens[k].whitespace_:
            glued = tokens[k].text + "-" + tokens[k + 2].text
            if fold(glued) in known:
                words.append(glued)
                k += 3
                continue
        words.append(tokens[k].text)
        k += 1
    return words


# "the Iran-aligned group", "Russian-backed separatists": the patron named before these is not the side
PATRON_WORDS = frozenset(
    {"aligned", "backed", "allied", "linked", "supported", "sponsored", "funded", "armed"}
)


def _without_patrons(tokens: list[Token]) -> list[Token]:
    """The phrase without a patron's name ("Iran" in "the Iran-aligned group")."""
    patrons = {
        k
        for k in range(len(tokens) - 2)
        if tokens[k + 1].text == "-" and tokens[k + 2].lower_ in PATRON_WORDS
    }
    return [t for k, t in enumerate(tokens) if k not in patrons] if patrons else tokens


def actor_of_tokens(tokens: list[Token], state: ArticleState) -> Actor | None:
    if not tokens:
        return None
    text = " ".join(t.text for t in tokens).replace(" ’s", "’s").replace(" 's", "'s")
    if len(tokens) == 1 and tokens[0].lower_ in PRONOUNS:
        speaker = state.last_speaker
        return (
            Actor(text=tokens[0].text, name=speaker.name, country=speaker.country, sector=speaker.sector)
            if speaker
            else None
        )
    if (
        state.last_group is not None
        and len(tokens) == 2
        and tokens[0].lower_ == "the"
        and tokens[1].lower_ in GROUP_ANAPHORS
    ):
        group = state.last_group
        return Actor(text=text, name=group.name, country=group.country, sector=group.sector)
    heads = [lemma(t) for t in tokens if t.pos_ in NOUN_POS] + [t.lower_ for t in tokens]
    actor = resolve_words(_hyphen_joined(_without_patrons(tokens)), heads, state.memory, text)
    if actor is not None and actor.sector == "rebel" and actor.name and actor.country:
        state.last_group = actor
    return actor


def subject_of(verb: Token) -> Token | None:
    subjects = [child for child in verb.children if child.dep_ in SUBJECT_DEPS]
    if subjects:  # "NAIROBI, June 25 (Newswire) - Kenyan police fired": the parser's two subjects
        return next((s for s in subjects if s.i >= _dateline_tokens(s)), subjects[0])
    for child in verb.children if verb.dep_ != "acomp" else ():  # "alarmed by X": X is no actor
        if child.dep_ == "agent":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    if verb.dep_ == "ROOT" and verb.pos_ == "VERB":
        # parse repair: "..., Russia and Ukraine engaged in ..." with the names attached elsewhere
        k = verb.i - 1
        while k >= verb.sent.start and verb.doc[k].pos_ in {"AUX", "ADV", "PART"}:
            k -= 1
        first: Token | None = None
        while k >= verb.sent.start and (verb.doc[k].pos_ == "PROPN" or verb.doc[k].lower_ == "and"):
            if verb.doc[k].pos_ == "PROPN":
                first = verb.doc[k]
            k -= 1
        return first
    return None


REPORTING_VERBS = frozenset(
    {
        "say",
        "report",
        "mention",
        "tell",
        "note",
        "confirm",
        "acknowledge",
        "add",
        "write",
        "reveal",
        "quote",
        "estimate",
        "believe",
        "think",
        "indicate",
        "suggest",
        "explain",
        "stress",
        "emphasize",
        "emphasise",
    }
)


# subjects that stand in for a side named elsewhere (climb on to the clause above)
STAND_IN_SUBJECTS = frozenset({"it", "they", "this", "that", "which", "who", "we"})
PERSON_PRONOUNS = frozenset({"he", "she"})
SELF_REPORT_SUBJECTS = frozenset({"it", "they", "we", *PERSON_PRONOUNS})


def _clause_subjects(token: Token, statement: bool) -> list[tuple[Token, Token]]:
    """(subject, verb) pairs of the clauses above a token, nearest first, climbing through xcomp/conj/advcl.

    For reported material events the subject of a reporting verb ("X reported an attack") is a claimant,
    not an actor, and the climb stops there; for statements the speaker is the actor."""
    node = token
    arrived_by = ""
    self_report = False  # "X said it had struck ...": the pronoun is the speaker, who is then the actor
    found: list[tuple[Token, Token]] = []
    for _ in range(12):
        if node.pos_ in {"VERB", "AUX", "ADJ"} or node.dep_ == "ROOT":
            subject = subject_of(node)
            # "Ruto said he had invited ...": below a reporting clause, "he" is the speaker named there
            pronouns = STAND_IN_SUBJECTS | (PERSON_PRONOUNS if node.head.i != node.i else frozenset())
            if subject is not None and subject.lower_ in pronouns:
                self_report = self_report or (not found and subject.lower_ in SELF_REPORT_SUBJECTS)
                subject = None
            if subject is not None and subject.i != token.i and token.i not in subtree_indices(subject):
                if not statement and arrived_by and lemma(node) in REPORTING_VERBS and not self_report:
                    break
                found.append((subject, node))
                if len(found) >= 3:
                    break
        if node.head.i == node.i:
            break
        arrived_by = node.dep_ if node.pos_ in {"VERB", "AUX", "ADJ"} or node.dep_ == "dobj" else arrived_by
        node = node.head
    return found


def noun_actor(token: Token, state: ArticleState) -> Actor | None:
    """An actor named inside a noun trigger's phrase: "Russia's capture", "Ukrainian drone
    assault", "attack by X".
    """
    for child in token.children:
        if child.dep_ in {"poss", "amod", "compound", "nmod"}:
            actor = actor_of_tokens(np_words(child), state)
            if actor is not None and actor.country:
                return actor
        if child.dep_ == "prep" and child.lower_ in {"by", "from"}:
            for grand in child.children:
                actor = actor_of_tokens(np_words(grand), state)
                if actor is not None:
                    return actor
    return None


def trigger_actor(
    token: Token, state: ArticleState, experiencer: frozenset[str], statement: bool = False
) -> tuple[Actor | None, Actor | None]:
    """(actor, recipient-from-subject) of a trigger: its own phrase first, then the subject of its clause."""
    if token.pos_ in NOUN_POS:
        own = noun_actor(token, state)
        if own is not None:
            return own, None
        if token.dep_ in SUBJECT_DEPS:
            return None, None
    elif token.dep_ in {"acl", "xcomp"} and token.head.pos_ in NOUN_POS:
        own = noun_actor(token.head, state)  # "Russia's proposition to return ..."
        if own is not None:
            return own, None
    for subject, verb in _clause_subjects(token, statement):
        named = _named_sides(subject, state)
        if named is not None:
            return named
        if (subject.lower_ in {"both", "sides", "nations"} and subject.pos_ != "PROPN") or any(
            c.lower_ == "both" for c in subject.children
        ):
            return None, None
        actor = _subject_actor(subject, state)
        if actor is None:
            continue
        if lemma(verb) in experiencer or (subject.dep_ == "nsubjpass" and verb.i == token.i):
            return None, actor
        return actor, None
    return None, None


def _subject_actor(subject: Token, state: ArticleState) -> Actor | None:
    """The side a clause's subject names, if it names one with a country or a state or armed role."""
    if subject.dep_ == "csubj":
        return None  # "sanctioning the court threatened its independence": an act, not a side
    actor = actor_of_tokens(np_words(subject), state)
    if actor is None or (actor.country is None and actor.sector not in ROLE_SECTORS):
        return None
    if actor.country is None and any(c.lower_ in POSSESSIVES for c in subject.children):
        owner = _possessor(subject, state)
        if owner is not None:  # "JNIM said its fighters had killed": the group's, named as the group
            actor.country = owner.country
            actor.name = actor.name or (owner.name if owner.sector == "rebel" else None)
    return actor


def _named_sides(subject: Token, state: ArticleState) -> tuple[Actor, Actor] | None:
    """ "The Turkish and Greek sides agreed ...": the first named side acts, the second receives."""
    if subject.lower_ not in {"sides", "governments", "delegations", "leaders"}:
        return None
    first = next((c for c in subject.children if c.dep_ in {"amod", "compound"}), None)
    if first is None or not first.conjuncts:
        return None
    sides = [actor_of_tokens([t], state) for t in (first, first.conjuncts[0])]
    if sides[0] is None or sides[1] is None or not sides[0].country or not sides[1].country:
        return None
    return sides[0], sides[1]


def _possessor(subject: Token, state: ArticleState) -> Actor | None:
    """Whose "its forces" or "their troops" these are: the nearest subject above with a country
    ("Rwanda says its forces are protecting its border")."""
    for higher, _ in _clause_subjects(subject.head, True):
        actor = actor_of_tokens(np_words(higher), state)
        if actor is not None and actor.country:
            return actor
    return None


def _other_side(found: Actor | None, actor: Actor | None) -> bool:
    """A recipient: of a country other than the actor's, or named by its role ("the government")."""
    if found is None:
        return False
    if not found.country:
        return found.sector in ROLE_SECTORS and (actor is None or actor.sector != found.sector)
    return actor is None or found.country != actor.country


# acts two sides do to each other: "India and Pakistan clashed" (but "the US and Britain struck" together)
RECIPROCAL = frozenset(
    {"exchange", "clash", "fight", "battle", "meet", "talk", "negotiate", "agree", "sign", "trade", "swap"}
)


def trigger_recipient(tokens: list[Token], state: ArticleState, actor: Actor | None) -> Actor | None:
    """The other side of a trigger: the subject's conjunct of a reciprocal act, else an object or a
    recipient preposition's object, else whom a demand's clause names."""
    return (
        _conjunct_recipient(tokens, state, actor)
        or _object_recipient(tokens, state, actor)
        or _asked_recipient(tokens, state, actor)
    )


def _conjunct_recipient(tokens: list[Token], state: ArticleState, actor: Actor | None) -> Actor | None:
    """ "Ukraine and Russia exchanged ...": the other side (of reciprocal acts only)."""
    if actor is None or not any(lemma(t) in RECIPROCAL or lemma(t.head) in RECIPROCAL for t in tokens):
        return None
    for subject, _ in _clause_subjects(tokens[0], True)[:1]:
        for other in subject.conjuncts:
            found = actor_of_tokens(np_words(other), state)
            if found is not None and found.country and found.country != actor.country:
                return found
    return None


def _recipient_candidates(token: Token) -> list[Token]:
    candidates: list[Token] = []
    for child in token.children:
        if child.dep_ in {"dobj", "dative"}:
            candidates.append(child)
            if lemma(child) in TIES:  # "broke off relations with Caracas"
                candidates.extend(
                    g for p in child.children if p.lower_ == "with" for g in p.children if g.dep_ == "pobj"
                )
        elif child.dep_ == "prep" and child.lower_ in RECIPIENT_PREPS | {"between"}:
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if child.lower_ == "between":
                objects = [c for g in objects for c in [g, *g.conjuncts]]
            candidates.extend(objects)
    return candidates


TIES = frozenset({"tie", "relation", "contact", "cooperation"})  # held with the other side
# "violated Polish airspace", "on Iraqi territory": inside the country (where.py places the act there)
COUNTRY_AREAS = frozenset({"airspace", "territory", "waters", "soil"})
# "troops to the Polish border", "drones in Lithuanian airspace": a place of a country, not its side
PLACE_HEADS = COUNTRY_AREAS | {"border", "borders", "frontier", "coast", "coastline"}


def _object_recipient(tokens: list[Token], state: ArticleState, actor: Actor | None) -> Actor | None:
    for token in tokens:
        for candidate in _recipient_candidates(token):
            if candidate.lower_ in PLACE_HEADS:
                continue
            found = actor_of_tokens(np_core(candidate), state)
            if found is not None and found.country and (actor is None or found.country != actor.country):
                return found
    return None


def _asked_recipient(tokens: list[Token], state: ArticleState, actor: Actor | None) -> Actor | None:
    """ "demanded that the government end curbs": who is asked."""
    for token in tokens:
        if token.pos_ != "VERB":
            continue
        for clause in (c for c in token.children if c.dep_ == "ccomp"):
            asked = subject_of(clause)
            found = actor_of_tokens(np_core(asked), state) if asked is not None else None
            if _other_side(found, actor):
                return found
    return None
