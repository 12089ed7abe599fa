"""The offline predictor: A/B test data, text and language-model features, the pairwise model,
its training and the A/B-winner benchmark. The `performance` evaluator scores with it; nothing
here imports the evaluators."""
