"""A/B test outcomes for the performance model: read arms, form pairs, test them, split by test."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from scipy.stats import norm

from copilot.errors import InputFileError
from copilot.knowledge.brand import PastCampaign

AB_COLUMNS = ("test_id", "headline", "image_id", "impressions", "clicks")
SIGNIFICANCE = 0.05


class ArmOutcome(BaseModel):
    """One arm of an A/B test: a text shown to `impressions` people, `clicks` of whom clicked."""

    test_id: str
    headline: str
    image_id: str = ""
    impressions: int = Field(ge=1)
    clicks: int = Field(ge=0)
    line: int = 0

    @property
    def click_rate(self) -> float:
        return self.clicks / self.impressions


def _count(raw: str, column: str, line: int, source: str) -> int:
    text = raw.strip().replace(",", "")
    try:
        value = float(text)
    except ValueError:
        raise InputFileError(
            f"{source} line {line}, column '{column}': {raw!r} is not a number; give a whole number"
        ) from None
    if value < 0 or value != int(value):
        raise InputFileError(
            f"{source} line {line}, column '{column}': {raw!r}; give a whole number >= 0"
        )
    return int(value)


def parse_ab_tests(text: str, source: str = "tests CSV") -> list[ArmOutcome]:
    """Parse rows `test_id, headline, image_id, impressions, clicks`; errors name line and column."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in AB_COLUMNS if c not in header]
    if missing:
        raise InputFileError(
            f"{source} line 1: missing column(s) {', '.join(missing)}; "
            f"the header must be {', '.join(AB_COLUMNS)}"
        )
    reader.fieldnames = header
    arms: list[ArmOutcome] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputFileError(
                f"{source} line {line}: more values than columns; quote headlines that contain commas"
            )
        if not any((v or "").strip() for v in row.values()):
            continue
        for column in ("test_id", "headline"):
            if not (row.get(column) or "").strip():
                raise InputFileError(f"{source} line {line}, column '{column}': empty; fill it in")
        impressions = _count(row.get("impressions") or "", "impressions", line, source)
        clicks = _count(row.get("clicks") or "", "clicks", line, source)
        if impressions < 1:
            raise InputFileError(f"{source} line {line}, column 'impressions': must be at least 1")
        if clicks > impressions:
            raise InputFileError(
                f"{source} line {line}, column 'clicks': {clicks} exceeds impressions ({impressions})"
            )
        arms.append(
            ArmOutcome(
                test_id=row["test_id"].strip(),
                headline=row["headline"].strip(),
                image_id=(row.get("image_id") or "").strip(),
                impressions=impressions,
                clicks=clicks,
                line=line,
            )
        )
    if not arms:
        raise InputFileError(f"{source}: no rows; give one row per arm under the header")
    return arms


def read_ab_tests(path: str | Path) -> list[ArmOutcome]:
    """Read an A/B tests CSV file (see parse_ab_tests)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"tests CSV not found: {p} (pass the path of a CSV file)")
    return parse_ab_tests(p.read_text(encoding="utf-8-sig"), source=str(p))


def arms_from_campaigns(campaigns: Iterable[PastCampaign], brand: str) -> list[ArmOutcome]:
    """A brand's own A/B history as arms: rows sharing an ab_test_id, text = subject line."""
    by_test: dict[str, list[PastCampaign]] = defaultdict(list)
    for c in campaigns:
        if c.ab_test_id:
            by_test[c.ab_test_id].append(c)
    return [
        ArmOutcome(
            test_id=f"{brand}:{test_id}",
            headline=c.subject,
            impressions=c.recipients,
            clicks=c.clicks,
            line=c.line,
        )
        for test_id, rows in by_test.items()
        if len(rows) >= 2
        for c in rows
    ]


def two_proportion_z(
    c1: np.ndarray, n1: np.ndarray, c2: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z-test (as statsmodels' proportions_ztest), vectorised: (z, p)."""
    c1, n1, c2, n2 = (np.asarray(x, dtype=np.float64) for x in (c1, n1, c2, n2))
    pooled = (c1 + c2) / (n1 + n2)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    safe = np.where(se > 0, se, 1.0)
    z = np.where(se > 0, (c1 / n1 - c2 / n2) / safe, 0.0)
    return z, 2.0 * norm.sf(np.abs(z))


@dataclass(frozen=True)
class Pairs:
    """Pairs of arms (indices into the arm list) from the same test and image, A listed first."""

    a: np.ndarray
    b: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    identical_skipped: int

    def __len__(self) -> int:
        return len(self.a)

    @property
    def significant(self) -> np.ndarray:
        return self.p_value < SIGNIFICANCE

    @property
    def a_wins(self) -> np.ndarray:
        return self.z > 0


def form_pairs(arms: Sequence[ArmOutcome]) -> Pairs:
    """Every pair within a test and image whose headlines differ, with its z-test."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, arm in enumerate(arms):
        groups[(arm.test_id, arm.image_id)].append(i)
    a: list[int] = []
    b: list[int] = []
    identical = 0
    for members in groups.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                # same text, different arm: something other than the headline varied
                if arms[i].headline == arms[j].headline:
                    identical += 1
                    continue
                a.append(i)
                b.append(j)
    ia = np.asarray(a, dtype=np.int64)
    ib = np.asarray(b, dtype=np.int64)
    clicks = np.asarray([arm.clicks for arm in arms], dtype=np.float64)
    shown = np.asarray([arm.impressions for arm in arms], dtype=np.float64)
    if len(ia):
        z, p = two_proportion_z(clicks[ia], shown[ia], clicks[ib], shown[ib])
    else:
        z, p = np.zeros(0), np.ones(0)
    return Pairs(a=ia, b=ib, z=z, p_value=p, identical_skipped=identical)


def _unit_hash(text: str) -> float:
    """A number in [0, 1) fixed by the text: stable across runs, machines and Python versions."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / float(16**8)


def holdout_mask(test_ids: Sequence[str], fraction: float) -> np.ndarray:
    """True for arms whose test falls in the held-out share (a hash of test_id: stable, by test)."""
    return np.asarray([_unit_hash(t) < fraction for t in test_ids], dtype=bool)


def fold_of(test_ids: Sequence[str], k: int, seed: int) -> np.ndarray:
    """Fold number 0..k-1 of each arm, from a seeded hash of its test_id (grouped by test)."""
    return np.asarray([int(_unit_hash(f"fold{seed}:{t}") * k) for t in test_ids], dtype=np.int64)


def data_sha256(arms: Sequence[ArmOutcome]) -> str:
    """Hash of the arms' content, recorded in a trained model's metadata."""
    h = hashlib.sha256()
    for arm in arms:
        h.update(
            f"{arm.test_id}\t{arm.image_id}\t{arm.headline}\t{arm.impressions}\t{arm.clicks}\n".encode()
        )
    return h.hexdigest()
