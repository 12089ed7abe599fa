"""Sequence plans: adaptation within bounds, timing, copy for every step, documents, CLI.

Unit tests use FakeLLM (a scripted stand-in, named as such) and a small brand built here, with
hard checks only (no embedding model). Integration tests run every playbook on the real embedded
model against the ingested sample brand, and the CLI end to end.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.errors import CopilotError
from copilot.generation.sequences.adapt import adapt_by_model, adapt_by_rules
from copilot.generation.sequences.docs import plan_markdown, steps_csv, write_plan
from copilot.generation.sequences.generator import SequenceCopy, generate_sequence, step_brief
from copilot.generation.sequences.plan import schedule
from copilot.generation.sequences.playbooks import get_playbook, load_playbooks
from copilot.io.brief import parse_brief
from copilot.settings import Settings
from tests.llm_fakes.fake_llm import FakeLLM
from tests.test_bodies import make_brief, make_context

ROOT = Path(__file__).resolve().parents[1]
HARD_AND_HEADER = ("subject_length", "preheader", "spam", "merge_tags", "body", "grounding")
STEP_KEYS = {
    "day",
    "delay_hours",
    "condition",
    "goal",
    "angle",
    "cta",
    "subject",
    "preheader",
    "body_html",
    "body_text",
    "branches",
    "checks",
}


def settings(**kw: object) -> Settings:
    return Settings(_env_file=None, llm_max_retries=1, **kw)  # type: ignore[call-arg]


# -- adaptation ---------------------------------------------------------------------------------


def test_no_offer_drops_or_changes_incentive_steps_with_reasons() -> None:
    steps, notes = adapt_by_rules(get_playbook("abandoned_cart"), make_brief(offer=None))
    assert [s.id for s in steps] == ["reminder", "help", "last_call"]
    assert steps[-1].angle == "final reminder" and not steps[-1].incentive
    assert notes[0].action == "change" and "no offer" in notes[0].reason

    steps, notes = adapt_by_rules(get_playbook("welcome"), make_brief(goal="welcome", offer=None))
    assert "first_purchase" not in [s.id for s in steps]
    assert notes[0].action == "drop" and "no offer" in notes[0].reason


def test_playbook_rules_use_the_segment() -> None:
    brief = make_brief(
        goal="product_launch", segment={"name": "quiet", "engagement": "low"}, offer=None
    )
    steps, notes = adapt_by_rules(get_playbook("product_launch"), brief)
    assert steps[0].id == "launch" and steps[0].delay_from == "trigger"
    assert notes[0].step == "teaser" and "engagement" in notes[0].reason

    brief = make_brief(goal="welcome", segment={"name": "buyers", "lifecycle": "customer"})
    steps, notes = adapt_by_rules(get_playbook("welcome"), brief)
    assert "first_purchase" not in [s.id for s in steps]
    assert "customers already" in notes[0].reason


def test_chat_model_adaptation_is_applied_within_bounds() -> None:
    book = get_playbook("lead_nurture")
    brief = make_brief(goal="lead_nurture", offer=None)
    steps, _ = adapt_by_rules(book, brief)
    proposal = {
        "changes": [
            {"action": "drop", "step": "objections", "reason": "the leads asked for pricing"},
            {
                "action": "add",
                "step": "tasting",
                "after": "thanks",
                "reason": "they asked for samples",
                "new_step": {
                    "id": "tasting",
                    "delay_hours": 24,
                    "goal": "Invite them to a tasting",
                    "angle": "useful tip",  # taken by another step: refused
                    "cta": "Book a tasting",
                },
            },
            {"action": "move", "step": "nope", "after": "thanks", "reason": "a step that is not"},
        ]
    }
    llm = FakeLLM(["not JSON at all", json.dumps(proposal)], prompt_style="chat")
    new, applied, refused = adapt_by_model(book, steps, brief, llm, settings())
    assert [a.step for a in applied] == ["objections"] and applied[0].by == "model"
    assert "objections" not in [s.id for s in new]
    assert len(refused) == 2
    assert any("angle" in r for r in refused) and any("does not exist" in r for r in refused)
    assert "not usable" in llm.prompts[1]  # the repair turn


def test_chat_model_cannot_break_the_weekly_cap_or_the_step_bounds() -> None:
    book = get_playbook("abandoned_cart")
    brief = make_brief()
    steps, _ = adapt_by_rules(book, brief)
    add = {
        "action": "add",
        "step": "extra",
        "after": "reminder",
        "reason": "one more nudge",
        "new_step": {
            "id": "extra",
            "delay_hours": 2,
            "goal": "Nudge",
            "angle": "social proof",
            "cta": "Go",
        },
    }
    drops = [{"action": "drop", "step": s.id, "reason": "fewer emails"} for s in steps]
    llm = FakeLLM([json.dumps({"changes": [add, *drops[:2]]})], prompt_style="chat")
    new, applied, refused = adapt_by_model(book, steps, brief, llm, settings())
    assert "extra" not in [s.id for s in new]  # max_steps is 3
    assert any("at most 3 steps" in r for r in refused)
    assert len(new) >= book.bounds.min_steps
    assert any("at least 2 steps" in r for r in refused)
    assert len(applied) == 1

    llm = FakeLLM([json.dumps({"changes": [add]})], prompt_style="chat")
    fewer, _ = adapt_by_rules(book, make_brief())
    fewer = fewer[:2]
    new, applied, refused = adapt_by_model(book, fewer, brief, llm, settings(), max_per_week=2)
    assert not applied and "more than 2 emails in a week" in refused[0]


def test_too_few_steps_left_is_an_error_naming_the_fix() -> None:
    book = get_playbook("birthday").model_copy(
        update={"bounds": get_playbook("birthday").bounds.model_copy(update={"min_steps": 2})}
    )
    with pytest.raises(CopilotError, match="add an offer"):
        adapt_by_rules(book, make_brief(goal="birthday", offer=None))


def test_schedule_counts_from_trigger_or_previous_and_never_goes_backwards() -> None:
    book = get_playbook("abandoned_cart")
    assert schedule(book.steps) == [(1, 1), (24, 23), (48, 24)]
    steps = [book.steps[0].model_copy(update={"delay_hours": 30}), *book.steps[1:]]
    assert [at for at, _ in schedule(steps)] == [30, 30, 48]  # "24 h after trigger" waits


def test_non_incentive_steps_are_written_without_the_offer() -> None:
    book = get_playbook("abandoned_cart")
    brief = make_brief()
    assert step_brief(brief, book.steps[0]).offer is None
    assert step_brief(brief, book.steps[-1]).offer == brief.offer


# -- generation with a scripted model ---------------------------------------------------------

SUBJECTS = iter(
    [
        "Your tea is still in your cart",
        "Questions about your order?",
        "A little help finishing your order",
    ]
    * 3
)


SEEN: dict[str, int] = {}
OFFER = "TEA10: 10% off a first order for new subscribers"


def _script(prompt: str) -> str:
    tail = prompt.rstrip().rsplit("\n", 1)[-1]
    if tail.startswith("Subject:"):
        return (
            f" {next(SUBJECTS)}\nPreheader: Everything you picked is saved, whenever you are "
            "ready to finish your order.\n###"
        )
    if tail.startswith("Headline:"):
        return " Your tea is right where you left it\n"
    if tail.startswith("Paragraph:"):
        # every step's first try states the offer; only the incentive step may keep it
        SEEN[prompt] = SEEN.get(prompt, 0) + 1
        if SEEN[prompt] == 1:
            return " Use TEA10 for 10% off your first order.\n"
        return " We kept your cart just as you left it, so you can pick up where you stopped.\n"
    return ""


@pytest.fixture(scope="module")
def cart_plan():
    brief = make_brief(offer=OFFER)
    return brief, generate_sequence(
        brief,
        settings(),
        llm=FakeLLM(_script),
        context=make_context(),
        copy=SequenceCopy(subject_drafts=1, blocks=2),
        evaluators=HARD_AND_HEADER,
    )


@pytest.mark.integration  # near-duplicate filtering of subjects loads the embedding model
def test_every_step_has_copy_checks_and_the_json_contract(cart_plan) -> None:
    brief, plan = cart_plan
    out = plan.to_json()
    seq = out["sequence"]
    assert set(seq) >= {"goal", "trigger", "exit", "steps"}
    assert seq["goal"] == "abandoned_cart" and seq["exit"][0]["conversion"]
    assert len(seq["steps"]) == 3
    for step in seq["steps"]:
        assert set(step) >= STEP_KEYS
        assert step["subject"] and step["preheader"] and step["body_html"] and step["body_text"]
        assert not [c for c in step["checks"] if c["status"] == "fail"]
        assert "*|UNSUB|*" in step["body_html"]
    assert [s["day"] for s in seq["steps"]] == [0, 1, 2]
    assert [s["delay_hours"] for s in seq["steps"]] == [1, 23, 24]
    assert {c["name"]: c["status"] for c in seq["checks"]} == {
        "sequence_angles": "pass",
        "sequence_discounts": "pass",
        "sequence_exit": "pass",
        "sequence_frequency": "pass",
        "sequence_subjects": "pass",
    }
    # the offer appears in the incentive step only, though the model wrote it for every step
    assert [("TEA10" in s["body_html"]) for s in seq["steps"]] == [False, False, True]
    assert [s["incentive"] for s in seq["steps"]] == [False, False, True]
    json.dumps(out)


@pytest.mark.integration
def test_plan_documents_for_the_team(cart_plan, tmp_path: Path) -> None:
    _brief, plan = cart_plan
    md = plan_markdown(plan)
    assert "## Timeline" in md and "| 1 | 0 | 1 h |" in md
    assert "cannot be created or edited through the public" in md
    rows = list(csv.DictReader(io.StringIO(steps_csv(plan))))
    assert [r["id"] for r in rows] == ["reminder", "help", "last_call"]
    assert rows[2]["incentive"] == "yes" and rows[0]["subject"]
    written = write_plan(plan, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"sequence.json", "sequence.md", "steps.csv", "steps/01-reminder.html"} <= names


# -- the real embedded model --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(ingested_sample: Settings):
    """One retrieval context per goal and the embedded model, shared by the playbook tests."""
    from copilot.app.generate import get_llm
    from copilot.knowledge.retrieve import build_context

    # no retries: a failed draft goes straight to fallback copy, which keeps this suite quick
    s = ingested_sample.model_copy(update={"llm_max_retries": 0})
    return s, get_llm(s), build_context


def _sample_brief(book_name: str):
    book = get_playbook(book_name)
    goal = book.goals[0].value if book.goals else "lead_nurture"
    example = ROOT / "examples" / f"{goal}.yaml"
    if example.is_file():
        from copilot.io.brief import load_brief

        return load_brief(example)
    offers = {"promotion": "HARVEST15: 15% off all coffee, November 1 to November 30, 2026"}
    return parse_brief(
        {
            "brand": "harbor_bean",
            "goal": goal,
            "segment": {"name": f"{goal}_segment", "lifecycle": "customer"},
            "offer": offers.get(book_name),
            "platform": "mailchimp",
            "cta_url": "https://harborbean.example/shop",
            "personalization": ["FNAME"],
        }
    )


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(load_playbooks()))
def test_every_playbook_gives_a_complete_passing_plan_on_the_embedded_model(real, name) -> None:
    s, llm, build_context = real
    brief = _sample_brief(name)
    plan = generate_sequence(
        brief,
        s,
        llm=llm,
        context=build_context(brief, s),
        playbook=get_playbook(name),
        copy=SequenceCopy(subject_drafts=1, blocks=1),  # small copy keeps the suite quick
    )
    assert plan.steps
    for step in plan.steps:
        assert step.subject and step.preheader and step.headline
        assert "Wharf Street" in step.body_html and step.body_text
        assert not [c for c in step.checks if c.status == "fail"], (step.id, step.checks)
    assert [c.status for c in plan.checks] == ["pass"] * 5, plan.checks


@pytest.mark.integration
def test_cli_sequence_writes_the_plan_and_spec_valid_drafts(
    ingested_sample: Settings, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "COPILOT_CHROMA_PATH": str(ingested_sample.chroma_path),
        "COPILOT_KB_DIR": str(ingested_sample.kb_dir),
        "COPILOT_LLM_MAX_RETRIES": "0",
    }
    out_dir = tmp_path / "seq"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot.cli",
            "sequence",
            "--brief",
            str(ROOT / "examples" / "welcome.yaml"),
            "--json",
            "--out",
            str(out_dir),
            "--drafts",
            "both",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seq = json.loads(proc.stdout)["sequence"]
    assert set(seq) >= {"goal", "trigger", "exit", "steps"}
    assert all(set(s) >= STEP_KEYS for s in seq["steps"])
    assert "{{ unsubscribe }}" in seq["steps"][0]["body_html"]  # the brief is for Brevo
    for name in ("sequence.md", "steps.csv", "sequence.json"):
        assert (out_dir / name).is_file()
    from copilot.platforms.contract import body_problems

    for platform, path in (("mailchimp", "/templates"), ("brevo", "/smtp/templates")):
        manifest = json.loads((out_dir / "drafts" / f"{platform}-manifest.json").read_text())
        assert len(manifest["requests"]) == len(seq["steps"])
        for req in manifest["requests"]:
            body = json.loads((out_dir / "drafts" / req["body_file"]).read_text())
            assert req["path"] == path
            assert body_problems(platform, "POST", path, body) == []


# a scripted fake model (slow only because near-duplicate filtering loads the real embedding
# model), so not marked `integration`
def test_a_subject_the_whole_email_cannot_carry_is_replaced_by_the_playbook_subject() -> None:
    # the brand allows one "!" per email; this preheader has one, and the inbox preview copy
    # hidden in the HTML repeats it, so no body can pass with it
    def script(prompt: str) -> str:
        if prompt.rstrip().endswith("Subject:"):
            return (
                " Still thinking about your tea\nPreheader: Your cart is saved and ready "
                "whenever you are, no rush at all!\n###"
            )
        return ""

    book = get_playbook("abandoned_cart")
    plan = generate_sequence(
        make_brief(),
        settings(draft_strategy="scratch"),  # the model's subject, not a filled pattern
        llm=FakeLLM(script),
        context=make_context(),
        playbook=book,
        copy=SequenceCopy(subject_drafts=1),
        evaluators=HARD_AND_HEADER,
    )
    first = plan.steps[0]
    assert first.origin["subject"] == "fallback"
    assert first.subject == book.steps[0].copy_.subject
    assert any("made the email fail" in n for n in first.notes)
    assert not [c for s in plan.steps for c in s.checks if c.status == "fail"]


def test_cli_says_plainly_when_a_goal_has_no_sequence(tmp_path: Path) -> None:
    brief = tmp_path / "newsletter.yaml"
    brief.write_text(
        "brand: harbor_bean\ngoal: newsletter\nsegment: {name: subscribers}\n", encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "sequence", "--brief", str(brief), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "no multi-step playbook" in proc.stderr and "--playbook" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_a_playbook_that_needs_an_offer_refuses_a_brief_without_one() -> None:
    with pytest.raises(CopilotError, match="promotion playbook needs an offer"):
        generate_sequence(
            make_brief(goal="welcome", offer=None),
            settings(),
            llm=FakeLLM([]),
            context=make_context(),
            playbook=get_playbook("promotion"),
        )


# a unit test with a scripted fake model (slow only because the body writer loads the real
# embedding model), so not marked `integration`
def test_a_step_gets_two_rounds_of_model_drafts_before_fallback_and_the_fallback_is_counted() -> (
    None
):
    subject_calls: list[str] = []

    def script(prompt: str) -> str:
        if prompt.rstrip().endswith("Subject:"):
            subject_calls.append(prompt)
            # a word-for-word copy of the brand's past subject: dropped every time
            return (
                " Your tea is still in the cart\nPreheader: Pick up where you left off, any time.\n"
            )
        return ""

    book = get_playbook("abandoned_cart")
    plan = generate_sequence(
        make_brief(),
        settings(draft_strategy="scratch").model_copy(update={"llm_max_retries": 0}),
        llm=FakeLLM(script),
        context=make_context(),
        playbook=book,
        copy=SequenceCopy(subject_drafts=1, blocks=1),
        evaluators=HARD_AND_HEADER,
    )
    assert len(subject_calls) == 2 * len(plan.steps)  # two rounds per step, then fallback
    assert all(s.origin["subject"] == "fallback" for s in plan.steps)
    assert any("in 2 rounds" in n for s in plan.steps for n in s.notes)
    parts = [o for s in plan.steps for o in s.origin.values() if o in ("model", "fallback")]
    note = next(n for n in plan.notes if n.startswith("fallback copy:"))
    assert note.startswith(f"fallback copy: {parts.count('fallback')} of {len(parts)} parts")
    assert "reminder: subject" in note
    assert note in plan.to_json()["sequence"]["notes"]  # in the JSON the CLI prints, too


def test_under_auto_a_step_subject_is_a_pattern_filled_for_the_step_and_is_not_fallback() -> None:
    subject_calls: list[str] = []

    def script(prompt: str) -> str:
        if prompt.rstrip().endswith("Subject:"):
            subject_calls.append(prompt)
        return ""

    plan = generate_sequence(
        make_brief(),
        settings(draft_strategy="auto").model_copy(update={"llm_max_retries": 0}),
        llm=FakeLLM(script),
        context=make_context(),
        playbook=get_playbook("abandoned_cart"),
        copy=SequenceCopy(subject_drafts=1, blocks=1),
        evaluators=HARD_AND_HEADER,
    )
    assert not subject_calls  # every step found a filled pattern that passed
    assert all(s.origin["subject"] == "patterns" for s in plan.steps)
    subjects = [s.subject for s in plan.steps]
    assert len(set(subjects)) == len(subjects)  # no pattern used twice
    note = next(n for n in plan.notes if n.startswith("fallback copy:"))
    parts = [o for s in plan.steps for o in s.origin.values() if o != "given"]
    assert note.startswith(f"fallback copy: {parts.count('fallback')} of {len(parts)} parts")
    assert "subject" not in note.split("(", 1)[-1]  # no subject is fallback copy
