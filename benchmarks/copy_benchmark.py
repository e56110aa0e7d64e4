"""Copy generation throughput: batched candidates, threads, constrained decoding, and
our sampler's overhead.

Measures, in one run on the same few-shot prompt and the default copy model:

* aggregate tokens/s at 1 and 8 candidates per call, through the studio's sampler (one
  shared prompt pass, streaming to a sink, cancel) unconstrained, through it with the
  brief's word constraint (what copy jobs run), and through a bare
  ``model.generate(num_return_sequences=…)`` with the same sampling arguments — the
  ratios are our overhead and the constraint's cost;
* the same at 1 and 2 torch threads (a busy machine punishes spinning threads);
* optionally (``--variants``) bf16 weights and a static KV cache at 8 candidates;
* optionally (``--copy-path``) the whole copy path (``generate_copy`` for one brief:
  prompts, sampling, checks, MiniLM ranking) as useful tokens/s.

Every sequence decodes exactly ``--tokens`` tokens so the work is equal. Figures are
medians over ``--repeats`` interleaved runs; compare ratios, not absolute numbers.

    .venv/bin/python benchmarks/copy_benchmark.py --tokens 32 --repeats 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from generators.copy import CopyRequest, ProductFacts, SegmentBrief, generate_copy
from generators.copy.decoding import BriefMasks, WordConstraint
from generators.copy.facts import fact_sheet
from generators.copy.gate import field_kind
from generators.copy.lexicon import vocabulary
from generators.copy.loading import load_copy_model
from generators.copy.plans import plan_fields
from generators.copy.prompts import ad_prompt, field_opening
from generators.copy.sampling import PromptState, SamplingParameters, sample
from generators.copy.specs import DEFAULT_COPY_MODEL
from studio.core.channels import get_channel_format
from studio.core.progress import CancelToken, ProgressSink

REQUEST = CopyRequest(
    product=ProductFacts(
        name="Trail Runner GTX",
        category="Running shoes",
        description="Lightweight trail running shoe with a waterproof membrane.",
        price=129.0,
        currency="EUR",
    ),
    channel_format="meta_feed",
    segment=SegmentBrief("Weekend adventurers", "Outdoor lovers who hike and run on weekends."),
    n=3,
)


def brief_prompt(lm: Any) -> tuple[PromptState, WordConstraint]:
    """The prompt a copy job builds for the brief's first field, and its constraint."""
    sheet = fact_sheet(REQUEST, "en")
    plans = plan_fields(REQUEST, get_channel_format(REQUEST.channel_format))
    kinds = [(p.field.name, field_kind(p.field.name, p.field.max_chars)) for p in plans]
    state = PromptState(lm, ad_prompt(sheet, kinds)).then(field_opening("en", kinds[0][0]))
    masks = BriefMasks(lm.table, vocabulary(sheet))
    return state, WordConstraint(masks, sheet.name)


def bare_generate(lm: Any, state: PromptState, count: int, tokens: int, **extra: Any) -> float:
    import torch

    inputs = lm.tokenizer(state.prompt, return_tensors="pt", add_special_tokens=False)
    torch.manual_seed(0)
    started = time.perf_counter()
    with torch.inference_mode():
        lm.model.generate(
            **inputs, do_sample=True, num_return_sequences=count, max_new_tokens=tokens,
            min_new_tokens=tokens, pad_token_id=lm.tokenizer.pad_token_id,
            **SamplingParameters().as_dict(), **extra,
        )  # fmt: skip
    return count * tokens / (time.perf_counter() - started)


def ours_generate(
    lm: Any, state: PromptState, count: int, tokens: int, constraint: WordConstraint | None
) -> float:
    """Tokens/s of the studio's sampler; unconstrained, every sequence runs ``tokens``
    steps (stop tokens masked out), as bare ``generate`` with ``min_new_tokens``."""
    import torch

    anything = torch.ones(len(lm.table.texts), dtype=torch.bool)
    anything[lm.table.stops] = False
    started = time.perf_counter()
    sampled = sample(
        state, "", count=count, max_new_tokens=tokens, seed=0,
        parameters=SamplingParameters(),
        allowed=constraint if constraint is not None else (lambda row, tokens: anything),
        sink=ProgressSink(lambda event: None), cancel=CancelToken(),
    )  # fmt: skip
    made = sampled.new_tokens if constraint is not None else count * tokens
    return made / (time.perf_counter() - started)


def median_of(runs: list[float]) -> float:
    return round(statistics.median(runs), 2)


def run(
    tokens: int, repeats: int, threads: list[int], variants: bool, with_copy_path: bool
) -> dict[str, Any]:
    import torch

    lm = load_copy_model(DEFAULT_COPY_MODEL, device="cpu", precision="fp32")
    state, constraint = brief_prompt(lm)
    prompt_tokens = len(lm.tokenizer(state.prompt, add_special_tokens=False)["input_ids"])
    ours_generate(lm, state, 2, 4, None)  # warm-up: allocator, kernels
    results: dict[str, Any] = {
        "model": DEFAULT_COPY_MODEL, "prompt_tokens": prompt_tokens,
        "new_tokens_per_sequence": tokens, "repeats": repeats, "configs": [],
    }  # fmt: skip
    default_threads = torch.get_num_threads()
    for thread_count in threads:
        torch.set_num_threads(thread_count)
        for count in (1, 8):
            ours, constrained, bare = [], [], []
            for _ in range(repeats):  # interleaved, so load changes hit all alike
                ours.append(ours_generate(lm, state, count, tokens, None))
                constrained.append(ours_generate(lm, state, count, tokens, constraint))
                bare.append(bare_generate(lm, state, count, tokens))
            row = {
                "threads": thread_count, "candidates": count,
                "ours_tokens_per_s": median_of(ours),
                "constrained_tokens_per_s": median_of(constrained),
                "bare_tokens_per_s": median_of(bare),
            }  # fmt: skip
            row["wrapper_overhead"] = round(
                row["bare_tokens_per_s"] / row["ours_tokens_per_s"] - 1, 3
            )
            row["constraint_cost"] = round(
                row["ours_tokens_per_s"] / row["constrained_tokens_per_s"] - 1, 3
            )
            results["configs"].append(row)
            print(json.dumps(row), flush=True)
    torch.set_num_threads(default_threads)
    by_key = {(r["threads"], r["candidates"]): r for r in results["configs"]}
    results["batching_speedup"] = {
        str(t): round(by_key[t, 8]["ours_tokens_per_s"] / by_key[t, 1]["ours_tokens_per_s"], 2)
        for t in threads
    }
    if variants:
        results["variants"] = variant_runs(lm, state, tokens, repeats)
    if with_copy_path:
        results["copy_path"] = copy_path()
    return results


def variant_runs(lm: Any, state: PromptState, tokens: int, repeats: int) -> dict[str, float]:
    """bf16 weights and a static KV cache, against fp32 dynamic cache, at 8 candidates."""
    import torch

    found = {"fp32": median_of([bare_generate(lm, state, 8, tokens) for _ in range(repeats)])}
    found["static_cache"] = median_of(
        [bare_generate(lm, state, 8, tokens, cache_implementation="static") for _ in range(repeats)]
    )
    lm.model.to(torch.bfloat16)
    try:
        found["bf16"] = median_of([bare_generate(lm, state, 8, tokens) for _ in range(repeats)])
    finally:
        lm.model.to(torch.float32)
    print(json.dumps(found), flush=True)
    return found


def copy_path() -> dict[str, float]:
    """One whole brief through generate_copy: useful (not padded) tokens per second."""
    started = time.perf_counter()
    result = generate_copy(REQUEST)
    seconds = time.perf_counter() - started
    return {
        "new_tokens": result.stats["new_tokens"],
        "sampling_tokens_per_s": round(result.stats["new_tokens"] / result.stats["seconds"], 2),
        "end_to_end_tokens_per_s": round(result.stats["new_tokens"] / seconds, 2),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--variants", action="store_true", help="also bf16 and static cache")
    parser.add_argument("--copy-path", action="store_true", help="also one whole brief")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args()
    results = run(args.tokens, args.repeats, args.threads, args.variants, args.copy_path)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
