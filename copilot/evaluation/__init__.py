"""Evaluators: checks and scores for email variants.

One interface (`base.Evaluator`, looked up by name with `base.create`), one module per check:
`length` (subject_length, preheader), `spam`, `merge_tags`, `body`, `grounding` (with `claims`),
`voice`, `relevance`, `fluency`, `diversity`, `performance` and `judge` (an optional LLM rubric); `scoring.evaluate_variants`
runs them and combines the results into a 0-100 score with an explanation. Lexicons and merge-tag
maps live in `data/`.
"""
