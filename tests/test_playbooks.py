"""The playbook library: every playbook loads and is sound; bad files are refused by name and field;
every playbook's fallback copy passes the hard checks, so a plan can always be completed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from copilot.cli import app
from copilot.errors import ConfigError, CopilotError
from copilot.generation.sequences.checks import DEFAULT_MAX_SENDS_PER_WEEK, WEEK_HOURS
from copilot.generation.sequences.generator import SequenceCopy, generate_sequence
from copilot.generation.sequences.plan import schedule
from copilot.generation.sequences.playbooks import (
    PLAYBOOK_DIR,
    get_playbook,
    load_playbooks,
    playbook_for,
)
from copilot.io.brief import Goal
from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM
from tests.test_bodies import make_brief, make_context

EXPECTED = {
    "welcome",
    "abandoned_cart",
    "re_engagement",
    "lead_nurture",
    "onboarding",
    "post_purchase",
    "win_back",
    "birthday",
    "product_launch",
    "webinar",
    "promotion",
}
HARD_AND_HEADER = ("subject_length", "preheader", "spam", "merge_tags", "body", "grounding")


def test_the_library_has_every_playbook_and_each_is_sound() -> None:
    books = load_playbooks()
    assert set(books) == EXPECTED
    for book in books.values():
        assert any(e.conversion for e in book.exit), book.name
        angles = [s.angle.lower() for s in book.steps]
        assert len(set(angles)) == len(angles), book.name
        times = [at for at, _ in schedule(book.steps)]
        assert times == sorted(times), book.name
        worst = max(sum(1 for u in times if t <= u < t + WEEK_HOURS) for t in times)
        assert worst <= DEFAULT_MAX_SENDS_PER_WEEK, book.name
        assert book.steps[0].delay_from == "trigger"


def test_playbook_timing_follows_common_practice() -> None:
    def days(name: str) -> list[float]:
        return [round(at / 24, 2) for at, _ in schedule(get_playbook(name).steps)]

    assert [at for at, _ in schedule(get_playbook("abandoned_cart").steps)] == [1, 24, 48]
    assert days("lead_nurture") == [0, 3, 7, 14, 21]
    assert days("onboarding") == [0, 1, 3, 7, 14]
    assert 7 <= days("welcome")[-1] <= 14 and 3 <= len(get_playbook("welcome").steps) <= 5
    assert get_playbook("abandoned_cart").steps[-1].incentive  # incentive only in the last
    assert not any(s.incentive for s in get_playbook("abandoned_cart").steps[:-1])


def test_goals_map_to_playbooks_and_single_sends_say_so() -> None:
    for goal in Goal:
        brief = make_brief(goal=goal.value, offer="HARVEST15: 15% off all coffee")
        if goal is Goal.newsletter:
            with pytest.raises(CopilotError, match="no multi-step playbook"):
                playbook_for(brief)
        else:
            assert goal in playbook_for(brief).goals
    with pytest.raises(CopilotError, match="needs an offer"):
        playbook_for(make_brief(goal="promotion", offer=None))
    assert get_playbook("webinar").goals == []  # only by name
    with pytest.raises(CopilotError, match="does not exist"):
        get_playbook("nope")


def _write(folder: Path, name: str, mutate) -> Path:
    data = yaml.safe_load((PLAYBOOK_DIR / "abandoned_cart.yaml").read_text(encoding="utf-8"))
    data["name"] = name
    mutate(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _set(path: list, value):
    def mutate(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set(["steps", 1, "angle"], "gentle reminder"), "share an angle"),
        (_set(["exit"], [{"when": "unsubscribes"}]), "conversion: true"),
        (
            _set(["steps", 0, "branches"], [{"when": "clicks", "then": "go_to", "target": "x"}]),
            "branch target",
        ),
        (_set(["steps", 2, "if_no_offer"], None), "without an offer"),
        (_set(["steps", 0, "copy", "blocks"], ["{offer} now", "b"]), "only incentive steps"),
        (_set(["steps", 0, "copy", "headline"], "Hi {name}"), "unknown placeholder"),
        (_set(["steps", 0, "delay_from"], "previous"), "first step"),
        (_set(["steps", 0, "colour"], "red"), "steps.0.colour"),
        (_set(["bounds", "max_steps"], 2), "outside bounds"),
        (_set(["steps", 0, "copy", "preheader"], "Too short"), "steps.0.copy.preheader"),
    ],
)
def test_bad_playbooks_are_refused_by_file_and_field(tmp_path: Path, mutate, message) -> None:
    folder = tmp_path / "books"
    _write(folder, "broken", mutate)
    with pytest.raises(ConfigError) as err:
        load_playbooks(folder)
    assert "broken.yaml" in str(err.value) and message in str(err.value)


def test_bad_yaml_and_wrong_name_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "yaml"
    folder.mkdir()
    (folder / "x.yaml").write_text("name: x\nsteps: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"x.yaml line \d+: not valid YAML"):
        load_playbooks(folder)
    other = tmp_path / "named"
    _write(other, "right", _set(["name"], "wrong"))
    with pytest.raises(ConfigError, match="must match the file name"):
        load_playbooks(other)


TEA_OFFER = "TEA10: 10% off a first order for new subscribers"
# every playbook with and without an offer, except promotion without one (refused, tested above)
CASES = [
    (name, offer)
    for name in sorted(EXPECTED)
    for offer in (None, TEA_OFFER)
    if not (name == "promotion" and offer is None)
]


@pytest.mark.parametrize(("name", "offer"), CASES)
def test_fallback_copy_alone_makes_a_complete_passing_plan(name: str, offer: str | None) -> None:
    book = get_playbook(name)
    brief = make_brief(
        goal=(book.goals[0].value if book.goals else "lead_nurture"),
        offer=offer,
        platform="brevo" if offer else "mailchimp",
        personalization=["FIRSTNAME"] if offer else ["FNAME"],
    )
    plan = generate_sequence(
        brief,
        Settings(_env_file=None, llm_max_retries=0),  # type: ignore[call-arg]
        llm=FakeLLM(lambda _p: ""),  # every draft unusable: fallback copy only
        context=make_context(),
        playbook=book,
        copy=SequenceCopy(subject_drafts=1),
        evaluators=HARD_AND_HEADER,
    )
    assert plan.steps
    for s in plan.steps:
        assert not [c for c in s.checks if c.status == "fail"], (s.id, s.checks)
        assert s.subject and s.preheader and s.body_html and s.body_text
    assert [c.status for c in plan.checks] == ["pass"] * 5, plan.checks
    if offer is None:
        assert not [s for s in plan.steps if s.incentive]


def test_cli_lists_playbooks() -> None:
    result = CliRunner().invoke(app, ["playbooks", "--json"])
    assert result.exit_code == 0, result.output
    import json

    names = {p["name"] for p in json.loads(result.stdout)["playbooks"]}
    assert names == EXPECTED
