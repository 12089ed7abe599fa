"""`copilot benchmark ab-winners`: significant pairs, accuracy with its interval, baselines, errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from copilot.cli import app
from copilot.errors import InputFileError
from copilot.predictor.benchmark import benchmark_ab_winners
from copilot.predictor.data import parse_ab_tests
from copilot.predictor.model import SHIPPED_MODEL
from copilot.progress import Progress

ROOT = Path(__file__).resolve().parents[1]

# Three significant pairs whose winners are known by construction:
#   t1 "Short" (10%) beats "A much longer headline" (5%)
#   t2 "Longer headline wins here" (9%) beats "Tiny" (4%)
#   t4 "Alpha car" (8%) beats "Zulu tale" (3%); both 9 characters long
# and three that must not count: t3 differs by 0.1 point (p ~ 0.94), t5's arms show different
# images, t6's arms have the same headline.
HAND_MADE = """test_id,headline,image_id,impressions,clicks
t1,Short,img1,1000,100
t1,A much longer headline,img1,1000,50
t2,Tiny,img1,1000,40
t2,Longer headline wins here,img1,1000,90
t3,Bravo,img1,1000,100
t3,Alpha longer one,img1,1000,99
t4,Zulu tale,img1,1000,30
t4,Alpha car,img1,1000,80
t5,Bee,img1,1000,10
t5,Cat,img2,1000,90
t6,Same,img1,1000,10
t6,Same,img1,1000,90
"""
# the longer headline loses t1, wins t2 and ties t4 (counted half): 1.5 / 3
LONGER_ACCURACY = 0.5


class FakeAlphabeticalPredictor:
    """Test double: says the alphabetically earlier headline wins (right on t2 and t4 only)."""

    def win_probabilities(
        self,
        a: Sequence[str],
        b: Sequence[str],
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = np.array([1.0 if x < y else 0.0 if x > y else 0.5 for x, y in zip(a, b, strict=True)])
        if progress is not None:
            progress(f"scored {len(a)}/{len(a)} distinct headlines", 1.0)
        return p, p, p


def _wilson(acc: float, n: int) -> list[float]:
    lo, hi = proportion_confint(acc * n, n, alpha=0.05, method="wilson")
    return [lo, hi]


def test_accuracy_and_baselines_on_known_pairs() -> None:
    report = benchmark_ab_winners(parse_ab_tests(HAND_MADE), FakeAlphabeticalPredictor())
    assert report.pairs == 3
    assert report.tests == 3
    assert report.identical_skipped == 1
    assert report.accuracy == pytest.approx(2 / 3)
    assert list(report.ci95) == pytest.approx(_wilson(2 / 3, 3))
    assert report.baselines["random"].accuracy == 0.5
    assert list(report.baselines["random"].ci95) == pytest.approx(_wilson(0.5, 3))
    assert report.baselines["longer_headline"].accuracy == pytest.approx(LONGER_ACCURACY)


def test_a_predictor_that_is_always_wrong_scores_zero() -> None:
    class FakeReverseAlphabeticalPredictor(FakeAlphabeticalPredictor):
        """Test double: the opposite of the alphabetical rule (right on t1 only)."""

        def win_probabilities(
            self,
            a: Sequence[str],
            b: Sequence[str],
            progress: Progress | None = None,
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            p, _, _ = super().win_probabilities(a, b, progress)
            return 1 - p, 1 - p, 1 - p

    report = benchmark_ab_winners(parse_ab_tests(HAND_MADE), FakeReverseAlphabeticalPredictor())
    assert report.accuracy == pytest.approx(1 / 3)


def _csv(tmp_path: Path, text: str, name: str = "tests.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.integration
def test_json_output_with_the_shipped_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "benchmark",
            "ab-winners",
            "--tests",
            str(_csv(tmp_path, HAND_MADE)),
            "--model",
            str(SHIPPED_MODEL),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"pairs", "accuracy", "ci95", "baselines"}
    assert payload["pairs"] == 3
    # each pair is right or wrong (the model gives no exact ties here), so k / 3
    assert payload["accuracy"] * 3 == pytest.approx(round(payload["accuracy"] * 3))
    assert payload["ci95"] == pytest.approx(_wilson(payload["accuracy"], 3))
    assert set(payload["baselines"]) == {"random", "longer_headline"}
    assert payload["baselines"]["longer_headline"]["accuracy"] == pytest.approx(LONGER_ACCURACY)
    assert payload["baselines"]["random"]["accuracy"] == 0.5


@pytest.mark.integration
def test_text_output_on_the_vendored_sample() -> None:
    sample = ROOT / "tests" / "fixtures" / "upworthy_sample.csv"
    result = CliRunner().invoke(
        app, ["benchmark", "ab-winners", "--tests", str(sample), "--model", str(SHIPPED_MODEL)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("significant pairs (p < 0.05): ")
    assert [line.split()[0] for line in lines[1:]] == ["model", "random", "longer"]
    assert all("95% CI" in line for line in lines[1:])
    # every sample test is in the shipped model's held-out share (sha256 below 0.17), so this is
    # an accuracy computed with the real encoders on unseen tests: broken features would sit
    # near the coin flip
    assert float(lines[1].split()[2]) > 0.6
    assert "distinct headlines" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("test_id,headline,image_id,impressions\nt1,A,i,10\n", "missing column(s) clicks"),
        (
            "test_id,headline,image_id,impressions,clicks\nt1,A,i,10,1\nt1,B,i,ten,1\n",
            "line 3, column 'impressions'",
        ),
        (
            "test_id,headline,image_id,impressions,clicks\nt1,A,i,10,11\n",
            "line 2, column 'clicks': 11 exceeds impressions",
        ),
        ("test_id,headline,image_id,impressions,clicks\nt1,,i,10,1\n", "line 2, column 'headline'"),
        (
            "test_id,headline,image_id,impressions,clicks\nt1,A,i,1000,50\nt1,B,i,1000,52\n",
            "differs in click rate at p < 0.05",
        ),
    ],
)
def test_bad_csv_names_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    result = CliRunner().invoke(
        app, ["benchmark", "ab-winners", "--tests", str(_csv(tmp_path, text)), "--json"]
    )
    assert isinstance(result.exception, InputFileError)
    assert expected in str(result.exception)
    assert result.stdout == ""


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "benchmark",
            "ab-winners",
            "--tests",
            str(_csv(tmp_path, HAND_MADE)),
            "--model",
            str(tmp_path / "nope.npz"),
        ],
    )
    assert result.exception is not None
    assert "nope.npz does not exist" in str(result.exception)
