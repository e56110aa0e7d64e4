"""The studio's own decoding loop: one pass over the prompt, many constrained candidates.

Decoding a small model on a CPU is dominated by two costs this loop avoids:

* the prompt: it runs through the model once per field, and its key/value cache is
  shared by every opening and candidate of that field (and by scoring);
* the output layer: copy may only use the brief's words (:mod:`generators.copy.decoding`),
  so logits are computed for the tokens each step allows — a few thousand — instead of the
  whole vocabulary (262 144 tokens for Gemma 3, where the output layer is most of the work).

Sampling is the usual temperature, top-p and repetition penalty (on the candidate's own
tokens, so copying the product's facts is not penalised), reproducible from a seed. The
first candidate's text streams to the progress sink; cancel is checked at every step.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from generators.copy.loading import LoadedCopyModel
from studio.core.progress import CancelToken, ProgressSink


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


class RoomLimit(Protocol):
    """A constraint that takes tokens away for want of room, and hears when a candidate
    took a word only for want of them (see :class:`generators.copy.decoding.WordConstraint`)."""

    def overflow(self, row: int) -> Any | None: ...

    def squeezed(self, row: int) -> None: ...


@dataclass
class Sampled:
    texts: list[str]
    #: False where a candidate ran out of tokens (its last word may be cut)
    finished: list[bool]
    new_tokens: int
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


class PromptState:
    """A prompt run through the model once: its cache and the hidden state after it."""

    def __init__(self, lm: LoadedCopyModel, prompt: str) -> None:
        import torch

        self.lm = lm
        self.prompt = prompt
        ids = encode(lm, prompt, special=True)
        with torch.inference_mode():
            out = lm.model.base_model(input_ids=ids, use_cache=True)
        self.cache = out.cache
        self.hidden = out.last_hidden_state[:, -1, :]
        self.length = int(ids.shape[1])

    def then(self, text: str) -> PromptState:
        """The prompt followed by ``text``, sharing nothing mutable with this one."""
        cache, hidden = self.extended(text)
        following = object.__new__(PromptState)
        following.lm, following.prompt = self.lm, self.prompt + text
        following.cache, following.hidden = cache, hidden
        following.length = self.length + (int(encode(self.lm, text).shape[1]) if text else 0)
        return following

    def extended(self, text: str) -> tuple[Any, Any]:
        """A copy of the cache and the last hidden state after ``text`` follows the prompt."""
        import torch

        cache = copy.deepcopy(self.cache)
        if not text:
            return cache, self.hidden
        ids = encode(self.lm, text)
        with torch.inference_mode():
            out = self.lm.model.base_model(input_ids=ids, cache=cache, use_cache=True)
        return out.cache, out.last_hidden_state[:, -1, :]


def encode(lm: LoadedCopyModel, text: str, *, special: bool = False) -> Any:
    """Token ids of ``text`` (with the model's start-of-text token for a prompt)."""
    import torch

    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    bos = lm.tokenizer.bos_token_id
    if special and lm.needs_bos and bos is not None:
        ids = [bos, *ids]
    return torch.tensor([ids], dtype=torch.long, device=lm.device.device)


def output_logits(lm: LoadedCopyModel, hidden: Any, token_ids: Any | None = None) -> Any:
    """Logits from final hidden states, for all tokens or only ``token_ids``."""
    import torch

    head = lm.model.get_output_embeddings()
    # gathering rows of the output matrix pays only for a small share of the vocabulary;
    # for most of it, one full product and a pick is cheaper than copying the matrix
    gather = token_ids is not None and len(token_ids) < head.weight.shape[0] // 4
    weight = head.weight[token_ids] if gather else head.weight
    bias = getattr(head, "bias", None)
    if bias is not None and gather:
        bias = bias[token_ids]
    logits = torch.nn.functional.linear(hidden, weight, bias).float()
    if token_ids is not None and not gather:
        logits = logits[..., token_ids]
    cap = getattr(lm.model.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits


def sample(
    state: PromptState,
    opener: str,
    *,
    count: int,
    max_new_tokens: int,
    seed: int,
    parameters: SamplingParameters,
    allowed: Callable[[int, list[int]], Any],
    sink: ProgressSink,
    cancel: CancelToken,
    status: str = "Writing",
    room: RoomLimit | None = None,
) -> Sampled:
    """Sample ``count`` continuations of the prompt (after ``opener``).

    ``allowed(row, tokens)`` gives, for a candidate's tokens so far, the bool mask of
    tokens it may take next (all False: it is finished). With ``room``, a candidate that
    takes a word outside the nucleus the model would have sampled from had the room not
    taken tokens away, or ends inside a word the model would have carried on, is reported
    to it as squeezed.
    """
    import torch

    lm = state.lm
    started = time.perf_counter()
    cache, hidden = state.extended(opener)
    cache.batch_repeat_interleave(count)
    hidden = hidden.repeat(count, 1)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    rows: list[list[int]] = [[] for _ in range(count)]
    done = [False] * count
    stops = set(lm.table.stops)
    streamed = ""
    new_tokens = 0
    for step in range(max_new_tokens):
        cancel.raise_if_cancelled()
        masks = []
        for row in range(count):
            mask = None if done[row] else allowed(row, rows[row])
            if mask is None or not bool(mask.any()):
                done[row] = True
            masks.append(mask)
        if all(done):
            break
        live = [row for row in range(count) if not done[row]]
        spills = [room.overflow(row) if room is not None else None for row in live]
        wanted = [masks[row] for row in live] + [s for s in spills if s is not None]
        union = torch.stack(wanted).any(dim=0).nonzero().squeeze(1)
        logits = output_logits(lm, hidden[live], union)
        picked = _pick(logits, union, [masks[row][union] for row in live],
                       [rows[row] for row in live], parameters, generator)  # fmt: skip
        next_tokens = [lm.tokenizer.pad_token_id or 0] * count
        for index, (row, token) in enumerate(zip(live, picked, strict=True)):
            spill = spills[index]
            if room is not None and spill is not None:
                with_room = masks[row][union] | spill[union]
                # an ending the room forced is the model's own unless it cuts a word
                # ("ceramic pour" where the model wanted "pour-over")
                if not _in_nucleus(logits[index], with_room, union, token, parameters) and (
                    token not in stops
                    or _continues_word(lm.table.texts, logits[index], with_room, union)
                ):
                    room.squeezed(row)
            if token in stops:
                done[row] = True
            else:
                rows[row].append(token)
                next_tokens[row] = token
                new_tokens += 1
            next_tokens[row] = token
        if not done[0] or step == 0:
            text = lm.tokenizer.decode(rows[0], skip_special_tokens=True)
            delta = text[len(streamed) :] if text.startswith(streamed) else ""
            if delta and not text.endswith("\ufffd"):
                streamed = text
            sink.update(status, (step + 1) / max_new_tokens, text=delta or None)
        if all(done):
            break
        with torch.inference_mode():
            out = lm.model.base_model(
                input_ids=torch.tensor([[t] for t in next_tokens], device=lm.device.device),
                cache=cache,
                use_cache=True,
            )
        cache, hidden = out.cache, out.last_hidden_state[:, -1, :]
    cancel.raise_if_cancelled()
    texts = [lm.tokenizer.decode(tokens, skip_special_tokens=True) for tokens in rows]
    return Sampled(texts, list(done), new_tokens, time.perf_counter() - started)


def _in_nucleus(
    logits: Any, wanted: Any, union: Any, token: int, parameters: SamplingParameters
) -> bool:
    """Would ``token`` be among those sampled from the ``wanted`` tokens (its top-p share
    at the sampling temperature)? With room, the model would not have written one that is
    not: "lit" where it wanted "light"."""
    import torch

    scaled = logits.masked_fill(~wanted, float("-inf")) / max(parameters.temperature, 1e-5)
    ordered, order = torch.softmax(scaled, dim=-1).sort(descending=True)
    nucleus = order[ordered.cumsum(dim=-1) - ordered < parameters.top_p]
    return token in set(union[nucleus].tolist())


def _continues_word(texts: list[str], logits: Any, wanted: Any, union: Any) -> bool:
    """Does the token the model most wants among ``wanted`` carry on the word before it
    ("-over", "s") rather than start a new one or end the text?"""
    best = int(union[logits.masked_fill(~wanted, float("-inf")).argmax()])
    piece = texts[best]
    return bool(piece) and (piece[0].isalnum() or piece[0] in "-'’")


def _pick(
    logits: Any,
    union: Any,
    masks: list[Any],
    histories: list[list[int]],
    parameters: SamplingParameters,
    generator: Any,
) -> list[int]:
    """One token per live candidate: penalise its repeats, mask, temperature, top-p."""
    import torch

    logits = logits.clone()
    penalty = parameters.repetition_penalty
    position = {int(token): index for index, token in enumerate(union.tolist())}
    for row, history in enumerate(histories):
        seen = [position[t] for t in set(history) if t in position]
        if seen and penalty != 1.0:
            values = logits[row, seen]
            logits[row, seen] = torch.where(values > 0, values / penalty, values * penalty)
    logits = logits.masked_fill(~torch.stack(masks), float("-inf"))
    logits = logits / max(parameters.temperature, 1e-5)
    probs = torch.softmax(logits, dim=-1)
    if parameters.top_p < 1.0:
        ordered, order = probs.sort(dim=-1, descending=True)
        keep = ordered.cumsum(dim=-1) - ordered < parameters.top_p
        ordered = ordered * keep
        probs = torch.zeros_like(probs).scatter(1, order, ordered)
    choice = torch.multinomial(probs, 1, generator=generator).squeeze(1)
    return [int(union[index]) for index in choice.tolist()]


def score_texts(
    state: PromptState,
    texts: Sequence[str],
    *,
    total: bool = False,
    among: Sequence[int] | None = None,
    copied: str = "",
    openings: Sequence[str] | None = None,
) -> list[float]:
    """The model's log-probability of each text after the prompt: the mean per token, or
    with ``total`` the sum (to compare variants of one text).

    The word pieces of ``copied`` (the product's name) after its first are left out of the
    mean: decoding copies a name once begun, so how likely the model finds the rest of a
    rare name says nothing about how the sentence reads. Nor do the tokens of a text's
    opening (``openings``, one per text, "" for none): the studio chose them, not the model.

    ``among`` normalises over those tokens (and the texts' own) instead of the whole
    vocabulary: what decoding can choose from anyway, at a fraction of the cost.
    Texts are written as they would continue the prompt (a leading space is added).
    """
    import torch

    if not texts:
        return []
    lm = state.lm
    openings = list(openings) if openings is not None else [""] * len(texts)
    offsets = bool(copied) or any(openings)
    tokenized = [
        lm.tokenizer(" " + text, add_special_tokens=False, return_offsets_mapping=offsets)
        for text in texts
    ]
    encoded = [t["input_ids"] or [0] for t in tokenized]
    width = max(len(ids) for ids in encoded)
    pad = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else 0
    device = lm.device.device
    batch = torch.tensor([ids + [pad] * (width - len(ids)) for ids in encoded], device=device)
    mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in encoded])
    cache = copy.deepcopy(state.cache)
    cache.batch_repeat_interleave(len(texts))
    prompt_mask = torch.ones((len(texts), state.length), dtype=mask.dtype)
    with torch.inference_mode():
        out = lm.model.base_model(
            input_ids=batch,
            attention_mask=torch.cat([prompt_mask, mask], dim=1).to(device),
            cache=cache,
            use_cache=True,
        )
        hidden = torch.cat(
            [state.hidden.unsqueeze(1).repeat(len(texts), 1, 1), out.last_hidden_state[:, :-1]],
            dim=1,
        )
        if among is None:
            targets = batch
            logits = output_logits(lm, hidden)
        else:
            ids = torch.tensor(sorted(set(among) | set(batch.flatten().tolist())), device=device)
            position = torch.full((int(ids.max()) + 1,), -1, dtype=torch.long, device=device)
            position[ids] = torch.arange(len(ids), device=device)
            targets = position[batch]
            logits = output_logits(lm, hidden, ids)
        picked = torch.log_softmax(logits, dim=-1).gather(2, targets.unsqueeze(-1)).squeeze(-1)
    scores = []
    for row, ids in enumerate(encoded):
        values = picked[row, : len(ids)]
        if offsets and tokenized[row]["input_ids"]:
            spans = tokenized[row]["offset_mapping"]
            kept = _outside_copies(" " + texts[row], spans, copied)
            # the opening (after the added space) and the space before the model's words
            opened = len(openings[row]) + 1 if openings[row] else 0
            kept = [keep and begin >= opened for keep, (begin, _) in zip(kept, spans, strict=True)]
            values = values[kept] if any(kept) else values
        scores.append(float(values.sum() if total else values.mean()))
    return scores


def _outside_copies(text: str, offsets: Sequence[tuple[int, int]], copied: str) -> list[bool]:
    """Per token: is it outside every copy of ``copied`` but the copy's first token?"""
    if not copied:
        return [True] * len(offsets)
    spans = []
    start = text.find(copied)
    while start >= 0:
        spans.append((start, start + len(copied)))
        start = text.find(copied, start + len(copied))
    # a token that opens a copy (at its start, or just before it with the space) stays
    return [not any(s < begin and end <= e for s, e in spans) for begin, end in offsets]
