"""Model commands: train the predicted-performance model and show what a model file holds."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from copilot.commands._io import info, print_json
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
        from copilot.errors import InputFileError
        from copilot.knowledge.brand import brand_folder, load_brand
        from copilot.knowledge.embeddings import get_embedder
        from copilot.predictor.data import arms_from_campaigns, read_ab_tests
        from copilot.predictor.lm_features import BUNDLED_LM, CHUNK, cache_key, get_lm_encoder
        from copilot.predictor.train import cached_embed, train_performance_model

        settings = get_settings()
        arms = read_ab_tests(ab_tests)
        brand_arms = []
        if brand:
            kb = load_brand(brand_folder(settings.kb_dir, brand))
            brand_arms = arms_from_campaigns(kb.campaigns, kb.name)
            if not brand_arms:
                raise InputFileError(
                    f"brand {brand!r}: no two rows of past_campaigns.csv share an ab_test_id, "
                    "so there is no A/B history to learn from; fill in ab_test_id or drop --brand"
                )
            info(f"brand {brand}: {len(brand_arms)} arms from its own A/B tests")
        cache = settings.model_cache_dir / "embeddings"
        lm_embed = None
        if lm_features:
            # the language model loads before torch (the embedder): see workflow.generate
            lm_encoder = get_lm_encoder(BUNDLED_LM, settings.model_cache_dir, settings.llm_threads)

            def lm_encode(texts: Sequence[str]) -> np.ndarray:
                def step(done: int, total: int) -> None:
                    if done == total or done % 1024 < CHUNK:
                        info(f"[{done / total:4.0%}] language-model features {done}/{total}")

                return lm_encoder.encode(texts, progress=step)

            lm_embed = cached_embed(lm_encode, cache_key(BUNDLED_LM), cache)
        embedder = get_embedder(settings.embedding_model)
        embed = cached_embed(embedder.encode, settings.embedding_model, cache)
        model = train_performance_model(
            arms,
            embed,
            lm_embed=lm_embed,
            lm_model=BUNDLED_LM if lm_features else None,
            embedding_model=settings.embedding_model,
            source=ab_tests.name,
            source_sha256=hashlib.sha256(ab_tests.read_bytes()).hexdigest(),
            brand=brand,
            brand_arms=brand_arms,
            brand_weight=brand_weight,
            seed=seed,
            holdout_fraction=holdout,
            progress=info,
        )
        target = out or settings.model_cache_dir / "performance" / f"{brand or 'prior'}.npz"
        model.save(target)
        typer.echo(f"wrote {target} ({target.stat().st_size / 1024:.0f} KB) and its .json card")
        if out is None or settings.performance_model_path != target:
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
        from copilot.evaluation.scores.performance import get_model

        loaded = get_model(get_settings(), path=model)
        card = loaded.card
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
