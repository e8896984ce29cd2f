"""The score registry: what score_examples, the pruners and reliability read."""

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord, reliability, scores
from sklearn_difficulty.pruning import DifficultyFilter, DifficultyPruner
from sklearn_difficulty.scores import (
    SCORE_OUTPUTS,
    SCORES,
    ExampleScore,
    aum,
    consistency,
    data_map,
    el2n,
    forgetting_events,
    get_score,
    heldout_consistency,
    learning_speed,
    outputs_needed,
    register_score,
    resolve_score,
    score_examples,
    score_names,
    unregister_score,
)
from sklearn_difficulty.selection import default_scorer

BUILT_IN = (
    "learning_speed",
    "consistency",
    "heldout_consistency",
    "aum",
    "confidence",
    "forgetting",
    "el2n",
    "learning_speed_steps",
    "heldout_proba",
)
IF_CHAIN = BUILT_IN[:-2]  # the scores there were before the registry


def full_record(seed=0, n_members=5, stages=(0, 1, 2, 3), n_samples=30):
    """A record with every output, and members that trained on subsets."""
    rng = np.random.RandomState(seed)
    shape = (n_members, len(stages), n_samples)
    targets = rng.randint(0, 3, n_samples)
    predictions = np.where(rng.rand(*shape) < 0.6, targets, rng.randint(0, 3, shape))
    in_bag = rng.rand(n_members, n_samples) < 0.5
    in_bag[0], in_bag[1] = True, False  # every example held out by a member

    def output():
        return {"train": rng.rand(*shape).astype(np.float32)}

    return PredictionRecord(
        predictions={"train": predictions.astype(np.uint8)},
        targets={"train": targets},
        classes=np.array(["a", "b", "c"]),
        stages=np.array(stages),
        in_bag=in_bag,
        outputs={"proba": output(), "margin": output(), "error_norm": output()},
    )


def score_examples_as_it_was(record, score, stage, scored_set="train"):
    """score_examples as it was written before the registry: an if-chain."""
    if score == "auto":
        kinds = record.output_kinds
        score = (
            "el2n"
            if "error_norm" in kinds
            else "aum"
            if "margin" in kinds
            else "learning_speed"
        )
    if score == "learning_speed":
        return learning_speed(record, scored_set=scored_set)
    if score == "aum":
        return aum(record, scored_set=scored_set)
    if score == "confidence":
        return data_map(record, scored_set=scored_set).confidence
    if score == "forgetting":
        return -forgetting_events(record, scored_set=scored_set).score
    if score == "el2n":
        label = None if stage is None else record.stages[stage]
        return -el2n(record, scored_set=scored_set, stage=label)
    function = consistency if score == "consistency" else heldout_consistency
    return function(record, scored_set=scored_set)[-1 if stage is None else stage]


def test_the_public_values_are_those_of_the_built_in_scores():
    assert SCORES == BUILT_IN
    assert score_names()[: len(BUILT_IN)] == BUILT_IN
    assert SCORE_OUTPUTS == {
        "aum": ("margin",),
        "confidence": ("proba",),
        "el2n": ("error_norm",),
        "heldout_proba": ("proba",),
        "auto": ("error_norm",),
    }
    assert list(SCORE_OUTPUTS) == ["aum", "confidence", "el2n", "heldout_proba", "auto"]
    for name in SCORES:  # derived from the registry, not written again
        assert SCORE_OUTPUTS.get(name, ()) == get_score(name).outputs
        assert get_score(name).description
    assert outputs_needed("auto") == SCORE_OUTPUTS["auto"]
    assert [get_score(name).easy for name in SCORES].count("low") == 2


@pytest.mark.parametrize("score", ("auto", *IF_CHAIN))
@pytest.mark.parametrize("stage", [None, 0, 2, -1])
def test_score_examples_gives_the_numbers_of_the_if_chain(score, stage):
    record = full_record()
    expected = score_examples_as_it_was(record, score, stage)
    result = score_examples(record, score=score, stage=stage)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, expected)


def test_scores_whose_low_values_are_easy_are_negated():
    record = full_record(seed=1)
    np.testing.assert_array_equal(
        score_examples(record, score="forgetting"),
        -forgetting_events(record).score,
    )
    np.testing.assert_array_equal(
        score_examples(record, score="el2n", stage=1), -el2n(record, stage=1)
    )
    assert (forgetting_events(record).score > 0).any()  # the sign shows


def test_resolve_score_and_its_errors():
    record = full_record()
    labels_only = PredictionRecord(
        predictions={"train": record.scored_set("train")[0]},
        targets={"train": record.scored_set("train")[1]},
        classes=record.classes,
        stages=record.stages,
    )
    assert resolve_score(record, "auto") == "el2n"
    margins_only = PredictionRecord(
        predictions={"train": record.scored_set("train")[0]},
        targets={"train": record.scored_set("train")[1]},
        classes=record.classes,
        stages=record.stages,
        outputs={"margin": {"train": record.output("margin")}},
    )
    assert resolve_score(margins_only, "auto") == "aum"
    assert resolve_score(labels_only, "auto") == "learning_speed"
    assert resolve_score(labels_only, "el2n") == "el2n"
    with pytest.raises(ValueError, match=r"score must be 'auto' or one of \["):
        score_examples(record, score="speed")
    with pytest.raises(ValueError, match=r"stage indices must be in \[-4, 4\)"):
        score_examples(record, score="consistency", stage=4)
    with pytest.raises(ValueError, match="holds no 'margin' output"):
        score_examples(labels_only, score="aum")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"name": "auto"}, ValueError, "other than 'auto'"),
        ({"name": ""}, ValueError, "non-empty str"),
        ({"function": "speed"}, TypeError, "must be callable"),
        ({"outputs": ("logits",)}, ValueError, r"unknown outputs \['logits'\]"),
        ({"easy": "middle"}, ValueError, "easy must be 'high' or 'low'"),
    ],
)
def test_a_score_is_checked_when_made(kwargs, error, message):
    arguments = {"name": "mine", "function": lambda r, s, e: 0, **kwargs}
    with pytest.raises(error, match=message):
        ExampleScore(**arguments)


def test_outputs_may_be_one_name():
    assert ExampleScore("mine", len, outputs="proba").outputs == ("proba",)


def test_register_refuses_a_taken_name_unless_asked_to_replace():
    with pytest.raises(ValueError, match="registered already"):
        register_score(ExampleScore("aum", lambda r, s, e: 0))
    with pytest.raises(TypeError, match="must be an ExampleScore"):
        register_score("aum")
    with pytest.raises(ValueError, match="score must be 'auto' or one of"):
        unregister_score("never_registered")
    original = get_score("learning_speed")
    try:
        register_score(
            ExampleScore("learning_speed", lambda r, s, e: np.zeros(30)),
            replace=True,
        )
        assert score_names() == SCORES  # replaced in its place
        zeros = score_examples(full_record(), score="learning_speed")
        np.testing.assert_array_equal(zeros, np.zeros(30))
    finally:
        register_score(original, replace=True)
    assert get_score("learning_speed") is original


def wrong_stages(record, scored_set, stage):
    """How many training stages a majority of the members got an example wrong."""
    predictions, targets = record.scored_set(scored_set)
    wrong = (predictions != targets).mean(axis=0) > 0.5
    return wrong.sum(axis=0) if stage is None else wrong[stage].astype(float)


@pytest.fixture
def own_scores():
    """Two scores of a user's own: one from the labels, one from probabilities."""
    mine = register_score(
        ExampleScore("wrong_stages", wrong_stages, easy="low", description="toy")
    )
    peak = register_score(
        ExampleScore(
            "peak_proba",
            lambda record, scored_set, stage: (
                record.output("proba", scored_set).max(axis=(0, 1)).astype(float)
            ),
            outputs=("proba",),
        )
    )
    yield mine, peak
    unregister_score("wrong_stages")
    unregister_score("peak_proba")
    assert score_names() == SCORES


def test_an_own_score_is_read_by_score_examples(own_scores):
    record = full_record()
    assert score_names()[-2:] == ("wrong_stages", "peak_proba")
    raw = wrong_stages(record, "train", None)
    assert raw.max() > 0
    np.testing.assert_array_equal(score_examples(record, score="wrong_stages"), -raw)
    np.testing.assert_array_equal(
        score_examples(record, score="wrong_stages", stage=-1),
        -wrong_stages(record, "train", 3),  # the stage comes checked, non-negative
    )
    np.testing.assert_array_equal(
        score_examples(record, score="peak_proba"),
        record.output("proba").max(axis=(0, 1)),
    )
    assert outputs_needed("peak_proba") == ("proba",)
    assert "wrong_stages" not in SCORES  # the built-in names stay as they are


def test_an_own_score_must_give_one_number_per_example(own_scores):
    register_score(ExampleScore("matrix", lambda r, s, e: np.zeros((2, 30))))
    try:
        with pytest.raises(ValueError, match="one number per example of 'train'"):
            score_examples(full_record(), score="matrix")
    finally:
        unregister_score("matrix")


def test_the_pruners_rank_by_an_own_score(own_scores):
    record = full_record()
    y = record.classes[record.scored_set("train")[1]]
    X = np.arange(y.size, dtype=float).reshape(-1, 1)
    pruner = DifficultyPruner(record, rank_by="wrong_stages", amount=0.2)
    pruner.fit_resample(X, y)
    assert pruner.rank_by_ == "wrong_stages"
    np.testing.assert_array_equal(pruner.scores_, -wrong_stages(record, "train", None))
    model = DifficultyFilter(
        DecisionTreeClassifier(), scorer=record, rank_by="peak_proba"
    ).fit(X, y)
    assert model.rank_by_ == "peak_proba"
    with pytest.raises(ValueError, match="'rank_by' parameter"):
        DifficultyPruner(record, rank_by="never_registered").fit_resample(X, y)


def test_the_default_scorer_records_what_an_own_score_needs(own_scores):
    assert default_scorer(rank_by="peak_proba").record_outputs == ("proba",)
    assert default_scorer(rank_by="wrong_stages").record_outputs is None
    assert default_scorer().record_outputs == ("error_norm",)


def test_reliability_takes_an_own_score_by_name(own_scores):
    record = full_record(n_members=6)
    result = reliability.split_half_reliability(
        record, "wrong_stages", n_splits=3, random_state=0
    )
    assert result.score == "wrong_stages" and result.correlations.shape == (3,)
    unregister_score("peak_proba")
    with pytest.raises(ValueError, match=r"score must be one of \[.*'wrong_stages'\]"):
        reliability.split_half_reliability(record, "peak_proba")
    register_score(own_scores[1])


def test_an_ensemble_fitted_for_an_own_score_holds_its_outputs(own_scores, iris):
    X, y, _, _ = iris
    ensemble = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=2),
        n_estimators=3,
        max_samples=0.7,
        record_outputs=outputs_needed("peak_proba"),
        random_state=0,
    ).fit(X, y)
    assert score_examples(ensemble.record_, score="peak_proba").shape == (y.size,)


def test_the_registry_is_the_one_the_package_exports():
    assert scores.get_score is get_score
    assert set(scores.__all__) >= {
        "ExampleScore",
        "register_score",
        "unregister_score",
        "get_score",
        "score_names",
        "outputs_needed",
        "majority_label",
        "consistency_matrix",
    }
