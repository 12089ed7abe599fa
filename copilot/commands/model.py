"""Model commands: train the predicted-performance model and show what a model file holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copilot.commands._io import print_json, progress
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `model train` and `model show`."""
    group = typer.Typer(
        help="The predicted-performance model: train it, inspect it.", no_args_is_help=True
    )
    app.add_typer(group, name="model")

    @group.command("train")
    def train(
        ab_tests: Annotated[
            Path,
            typer.Option(
                "--ab-tests",
                help="CSV of A/B arms: test_id, headline, image_id, impressions, clicks "
                "(e.g. the Upworthy Research Archive, see copilot/predictor/models/README.md).",
            ),
        ],
        brand: Annotated[
            str | None,
            typer.Option("--brand", help="Also learn from this brand's past_campaigns.csv tests."),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", help="Where to write the model .npz (its .json card goes beside)."
            ),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed for folds and bootstrap.")] = 7,
        holdout: Annotated[
            float,
            typer.Option("--holdout", help="Share of tests held out for the accuracy report."),
        ] = 0.2,
        brand_weight: Annotated[
            float, typer.Option("--brand-weight", help="Weight of a brand pair vs a public pair.")
        ] = 5.0,
        lm_features: Annotated[
            bool,
            typer.Option(
                "--lm-features/--no-lm-features",
                help="Add the bundled Gemma 3 270M's hidden states to the features (more "
                "accurate; encoding takes about 0.15 s per headline on 2 cores, cached).",
            ),
        ] = True,
    ) -> None:
        """Train the model on real A/B outcomes; prints inner CV and held-out accuracy."""
        from copilot.app.model import TrainRequest
        from copilot.app.model import train as run

        settings = get_settings()
        request = TrainRequest(
            ab_tests=ab_tests,
            brand=brand,
            out=out,
            seed=seed,
            holdout=holdout,
            brand_weight=brand_weight,
            lm_features=lm_features,
        )
        done = run(request, settings, progress=progress)
        target = done.path
        typer.echo(f"wrote {target} ({done.size_bytes / 1024:.0f} KB) and its .json card")
        if not done.settings_use_it:
            typer.echo(f"use it with: export COPILOT_PERFORMANCE_MODEL_PATH={target}")

    @group.command("show")
    def show(
        model: Annotated[
            Path | None,
            typer.Option("--model", help="A model .npz (default: the one the settings use)."),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the whole model card.")
        ] = False,
    ) -> None:
        """Summarise a model: training data, held-out accuracy, cross-validation."""
        from copilot.app.model import ShowRequest
        from copilot.app.model import show as run

        card = run(ShowRequest(model=model), get_settings())
        if as_json:
            print_json(card.model_dump(mode="json"))
            return
        t = card.training
        typer.echo(
            f"trained on {t.source}: {t.tests} tests, {t.pairs} pairs "
            f"({t.significant_pairs} significant)"
        )
        if t.brand:
            typer.echo(f"brand {t.brand}: {t.brand_tests} tests, weight {t.brand_weight:g}")
        lm = card.lm_features
        typer.echo(
            f"features: {card.embedding_model} embedding, {len(card.hand_features)} text features"
            + (f", {lm.dim} hidden-state features of {lm.model}" if lm else "")
        )
        if card.holdout:
            h = card.holdout.model
            typer.echo(
                f"held-out accuracy {h.accuracy:.3f} on {h.pairs} significant pairs "
                f"(95% CI {h.ci95[0]:.3f}-{h.ci95[1]:.3f}) from {card.holdout.tests} tests"
            )
        if card.inner_cv:
            typer.echo(
                f"{card.inner_cv.folds}-fold grouped CV on the training part: "
                f"{card.inner_cv.mean:.3f} ± {card.inner_cv.sd:.3f}"
            )
        typer.echo(f"interval: {card.interval}")
