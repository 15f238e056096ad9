"""A generated corpus of short news-like texts with several labels per text.

No labelled text corpus ships inside the packages sklmtl can rely on (the
corpora of NLTK and the 20 newsgroups of scikit-learn are downloaded at run
time), so :func:`make_multitask_text` writes one: sentences assembled from
word lists, whose topic, tone and tags are known by construction. It is
meant for examples and tests of text pipelines, not for measuring how well a
model reads real text.
"""

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_multitask_text"]

_TOPICS = {
    "sport": (
        ["the striker", "the coach", "the home team", "the goalkeeper", "the club"],
        ["scored in", "prepared for", "trained before", "celebrated after"],
        ["the final match", "the league game", "the derby", "the cup semifinal"],
    ),
    "politics": (
        ["the minister", "the senator", "the opposition", "parliament", "the mayor"],
        ["debated", "voted on", "announced", "criticised"],
        ["the budget", "the new law", "the election plan", "the tax reform"],
    ),
    "science": (
        ["the researchers", "the laboratory", "a physicist", "the space agency"],
        ["measured", "published", "tested", "observed"],
        [
            "the vaccine trial",
            "the telescope data",
            "a new molecule",
            "the climate model",
        ],
    ),
    "food": (
        ["the chef", "the bakery", "the restaurant", "a food critic"],
        ["cooked", "served", "tasted", "reviewed"],
        ["the seasonal menu", "a spicy curry", "the sourdough bread", "the dessert"],
    ),
}
_TONES = {
    "positive": [
        "a wonderful success",
        "great news for everyone",
        "an excellent result",
    ],
    "neutral": ["as planned this week", "according to the report", "on tuesday"],
    "negative": ["a terrible failure", "a disappointing outcome", "awful news for all"],
}
_TAGS = {
    "question": ["why did it happen", "what comes next", "how will people react"],
    "numbers": [
        "three million people",
        "twenty percent more",
        "over five hundred fans",
    ],
    "person": ["said anna", "according to omar", "said li wei", "noted maria"],
}


def _sentence(rng, topic, noise):
    subjects, verbs, objects = _TOPICS[topic]
    words = []
    for pool_index, pool in enumerate((subjects, verbs, objects)):
        if rng.random_sample() < noise:  # a word from another topic
            other = list(_TOPICS)[rng.randint(len(_TOPICS))]
            pool = _TOPICS[other][pool_index]
        words.append(pool[rng.randint(len(pool))])
    return " ".join(words)


def make_multitask_text(
    n_samples=600,
    *,
    noise=0.15,
    missing_fraction=0.0,
    as_frame=False,
    return_X_y=False,
    random_state=None,
):
    """Generated news-like texts with a topic, a tone and three binary tags.

    Every text is one or two sentences about one of four topics (``sport``,
    ``politics``, ``science``, ``food``), followed by an opinion phrase that
    sets its tone (``positive``, ``neutral``, ``negative``) and by phrases
    for each of its tags: ``question`` (asks a question), ``numbers``
    (quotes figures), ``person`` (quotes a named person). Tags are drawn
    independently (probability 0.35 each), so a text has zero to three of
    them: the three tag columns form a multi-label (indicator) target beside
    the two multi-class ones. The corpus is generated, not collected: no
    labelled text corpus ships inside the packages sklmtl depends on.

    Parameters
    ----------
    n_samples : int, default=600
        Number of texts.
    noise : float, default=0.15
        Probability that each content word of a sentence comes from another
        topic's word list (makes the topic harder to read off single words).
    missing_fraction : float, default=0.0
        Share of the label cells (of every task) replaced by ``None``.
    as_frame : bool, default=False
        Return ``target`` as a pandas DataFrame with one named column per
        task (needs pandas).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator.

    Returns
    -------
    data : Bunch
        ``data`` (list of ``n_samples`` str), ``target`` (object array of
        shape ``(n_samples, 5)`` or a DataFrame: ``topic`` and ``tone`` as
        str, ``question``, ``numbers`` and ``person`` as 0/1 int),
        ``target_names`` and ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from sklmtl.datasets import make_multitask_text
    >>> texts, Y = make_multitask_text(n_samples=4, random_state=0,
    ...                                return_X_y=True)
    >>> len(texts), Y.shape
    (4, (4, 5))
    >>> Y[0].tolist()
    ['sport', 'neutral', 0, 0, 0]
    """
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive int; got {n_samples!r}.")
    for name, value in (("noise", noise), ("missing_fraction", missing_fraction)):
        if not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise ValueError(f"{name} must be a float in [0, 1); got {value!r}.")
    rng = check_random_state(random_state)
    topics, tones, tags = list(_TOPICS), list(_TONES), list(_TAGS)
    target = np.empty((n_samples, 2 + len(tags)), dtype=object)
    texts = []
    for i in range(n_samples):
        topic = topics[rng.randint(len(topics))]
        tone = tones[rng.randint(len(tones))]
        has = (rng.random_sample(len(tags)) < 0.35).astype(int)
        parts = [_sentence(rng, topic, noise) for _ in range(1 + rng.randint(2))]
        parts.append(_TONES[tone][rng.randint(len(_TONES[tone]))])
        for tag, present in zip(tags, has):
            if present:
                parts.append(_TAGS[tag][rng.randint(len(_TAGS[tag]))])
        texts.append(", ".join(parts) + ".")
        target[i] = [topic, tone, *has.tolist()]
    if missing_fraction:
        target[rng.random_sample(target.shape) < missing_fraction] = None
    target_names = ["topic", "tone", *tags]
    if as_frame:
        import pandas as pd

        target = pd.DataFrame(target, columns=target_names)
    if return_X_y:
        return texts, target
    return Bunch(
        data=texts,
        target=target,
        target_names=target_names,
        DESCR=make_multitask_text.__doc__.split("\n\n")[1],
    )
