"""Batched sampling: many candidates from one prompt in a single ``generate`` call.

Tokens of the first candidate are streamed to the progress sink as they are decoded;
a cancel request stops decoding after the current step (a stopping criterion checks the
token every step).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from generators.base import CancelToken, ProgressSink
from generators.copy.loading import LoadedCopyModel


@dataclass(frozen=True)
class SamplingParameters:
    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.2

    def as_dict(self) -> dict[str, float]:
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "repetition_penalty": self.repetition_penalty,
        }


@dataclass
class Sampled:
    texts: list[str]
    #: False where a candidate ran out of tokens (its last word may be cut)
    finished: list[bool]
    new_tokens: int
    seconds: float
    prompt: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def chat_prompt(lm: LoadedCopyModel, messages: list[dict[str, str]]) -> str:
    return lm.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)


def sample(
    lm: LoadedCopyModel,
    prompt: str,
    *,
    count: int,
    max_new_tokens: int,
    seed: int,
    parameters: SamplingParameters,
    stop_at_newline: bool,
    sink: ProgressSink,
    cancel: CancelToken,
    status: str = "Writing",
    min_new_tokens: int = 0,
) -> Sampled:
    """Sample ``count`` continuations of ``prompt`` in one batched ``generate`` call.

    ``min_new_tokens`` forces a length (benchmarks compare equal work with it).
    """
    import torch
    from transformers import StoppingCriteriaList

    tokenizer = lm.tokenizer
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(lm.device.device)
    prompt_length = inputs["input_ids"].shape[1]
    criteria = [CancelCriterion(cancel)]
    if stop_at_newline:
        criteria.append(NewlineCriterion(newline_token_mask(lm), prompt_length))
    torch.manual_seed(seed)
    started = time.perf_counter()
    with torch.inference_mode():
        output = lm.model.generate(
            **shared_prompt_inputs(lm, inputs, count),
            do_sample=True,
            max_new_tokens=max_new_tokens,
            min_new_tokens=min_new_tokens,
            pad_token_id=tokenizer.pad_token_id,
            stopping_criteria=StoppingCriteriaList(criteria),
            streamer=SinkStreamer(tokenizer, sink, status, max_new_tokens),
            **parameters.as_dict(),
        )
    seconds = time.perf_counter() - started
    cancel.raise_if_cancelled()
    generated = output[:, prompt_length:]
    ends = _end_token_ids(lm)
    mask = newline_token_mask(lm) if stop_at_newline else None
    finished = []
    new_tokens = 0
    for row in generated.tolist():
        ended = next((i for i, t in enumerate(row) if t in ends), None)
        new_tokens += len(row) if ended is None else ended + 1
        stopped_at_newline = mask is not None and any(mask[t] for t in row[1:])
        finished.append(ended is not None or stopped_at_newline)
    texts = tokenizer.batch_decode(generated, skip_special_tokens=True)
    return Sampled(texts, finished, new_tokens, seconds, prompt)


def shared_prompt_inputs(lm: LoadedCopyModel, inputs: Any, count: int) -> dict[str, Any]:
    """Inputs for ``count`` candidates that share one pass over the prompt.

    ``num_return_sequences`` would run the prompt through the model once per candidate;
    on a CPU that prefill costs more than decoding a short headline. So the prompt
    (all but its last token) runs once, and its key/value cache is repeated per candidate.
    """
    ids, mask = inputs["input_ids"], inputs["attention_mask"]
    repeated = {"input_ids": ids.repeat(count, 1), "attention_mask": mask.repeat(count, 1)}
    if count == 1 or ids.shape[1] < 2:
        return repeated
    cache = lm.model(input_ids=ids[:, :-1], attention_mask=mask[:, :-1], use_cache=True)
    past = cache.past_key_values
    past.batch_repeat_interleave(count)
    return {**repeated, "past_key_values": past}


def _end_token_ids(lm: LoadedCopyModel) -> set[int]:
    ids = lm.model.generation_config.eos_token_id
    ends = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
    if lm.tokenizer.eos_token_id is not None:
        ends.add(lm.tokenizer.eos_token_id)
    return ends


def newline_token_mask(lm: LoadedCopyModel) -> tuple[bool, ...]:
    """For each token id: does its text contain a line break (computed once per model)."""
    if lm.newline_mask is None:
        decode = lm.tokenizer.decode
        lm.newline_mask = tuple("\n" in decode([i]) for i in range(len(lm.tokenizer)))
    return lm.newline_mask


class CancelCriterion:
    """Stops every sequence at the next step once the user cancels."""

    def __init__(self, cancel: CancelToken) -> None:
        self.cancel = cancel

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        return torch.full(
            (input_ids.shape[0],), self.cancel.cancelled, dtype=torch.bool, device=input_ids.device
        )


class NewlineCriterion:
    """Stops a sequence at its first line break after some text (single-line fields)."""

    def __init__(self, mask: tuple[bool, ...], prompt_length: int) -> None:
        import torch

        self.mask = torch.tensor(mask, dtype=torch.bool)
        self.prompt_length = prompt_length

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        if input_ids.shape[1] - self.prompt_length < 2:
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        last = input_ids[:, -1].clamp(max=len(self.mask) - 1).cpu()
        return self.mask[last].to(input_ids.device)


class SinkStreamer:
    """A ``generate`` streamer that reports the first candidate's new text to the sink."""

    def __init__(self, tokenizer: Any, sink: ProgressSink, status: str, max_new_tokens: int):
        self.tokenizer = tokenizer
        self.sink = sink
        self.status = status
        self.max_new_tokens = max(max_new_tokens, 1)
        self.tokens: list[int] = []
        self.shown = ""
        self.steps = 0
        self.prompt_seen = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:  # generate hands over the prompt first
            self.prompt_seen = True
            return
        self.steps += 1
        self.tokens.append(int(value.reshape(-1)[0]))
        text = self.tokenizer.decode(self.tokens, skip_special_tokens=True)
        # hold back a half-decoded multi-byte character until its next token arrives
        delta = text[len(self.shown) :] if not text.endswith("\ufffd") else ""
        if delta and text.startswith(self.shown):
            self.shown = text
        else:
            delta = ""
        self.sink.update(self.status, self.steps / self.max_new_tokens, text=delta or None)

    def end(self) -> None:
        self.sink.update(self.status, 1.0)
