"""A tiny causal LM and byte-level BPE tokenizer, built and trained locally in seconds.

A model is trained to answer the copy prompts it is shown with one reply (then a line
break), so tests run the whole copy path (prompt, constrained sampling, checks, ranking)
on real weights loaded through the registry, with a predictable answer.

Two are used: one trained on the generator tests' briefs (:func:`build_tiny_lm`), and one
for the campaign path on the demo shop (:func:`tiny_copy_model_dir`), whose reply uses only
words of the copy lexicon, so it reads as copy for any demo product but names none: the
gate's topic rule fails it and the product's own templates become the copy, which is
what campaign tests check through to the bundle.
"""

from __future__ import annotations

from pathlib import Path

#: the campaign model's reply: lexicon words only, so decoding allows it for any product
REPLY = "A little treat for slow mornings."
MODEL_ID = "tiny-campaign-copy"
DEMO_CUSTOMERS = 300
#: prompt tokens (from the end) a model is trained on
CONTEXT = 48
#: the ends of copy prompts the campaign model learns to answer
PROMPT_TAILS = [
    "Product: House Blend Beans (Coffee). Our everyday medium roast.\nHeadline:",
    "Product: Earl Grey Lavender (Tea). Ceylon black tea.\nFor: Steady shoppers\nText:",
    "Tone: warm\nSubject:",
    "Description:",
    "Preview:",
    "Email:",
]


def _session_root(factory) -> Path:
    """A folder shared by every test module of this pytest run."""
    root = factory.getbasetemp() / "campaign-builds"
    root.mkdir(exist_ok=True)
    return root


def tiny_copy_model_dir(factory) -> Path:
    """The campaign copy model, trained once per pytest run (``factory``: tmp_path_factory)."""
    folder = _session_root(factory) / "tiny-copy"
    if not (folder / "config.json").exists():
        build_tiny_lm(folder, PROMPT_TAILS, REPLY, steps=80)
    return folder


def demo_template(factory) -> Path:
    """A small demo workspace with one segmentation run, built once per pytest run."""
    from studio.data.demo import create_demo_workspace
    from studio.data.segmentation import run_segmentation

    path = _session_root(factory) / "demo"
    if not (path / "workspace.db").exists():
        with create_demo_workspace(path, seed=7, n_customers=DEMO_CUSTOMERS) as ws:
            run_segmentation(ws, seed=0)
    return path


def build_tokenizer(corpus: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        special_tokens=["<|end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(corpus, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|end|>", pad_token="<|end|>")


def build_tiny_lm(
    folder: Path, prompts: list[str], reply: str, *, family: str = "llama", steps: int = 60
) -> float:
    """Train a 2-layer model to answer ``prompts`` with ``reply``; save it as safetensors.
    Returns the last training loss."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    answer = " " + reply + "\n"
    tokenizer = build_tokenizer([*prompts, answer] * 3)
    vocab = len(tokenizer)
    if family == "llama":
        config = LlamaConfig(
            vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
            bos_token_id=None, tie_word_embeddings=True,
        )  # fmt: skip
        model = LlamaForCausalLM(config)
    else:
        config = GPT2Config(
            vocab_size=vocab, n_embd=64, n_layer=2, n_head=4, n_positions=4096,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.eos_token_id,
        )  # fmt: skip
        model = GPT2LMHeadModel(config)
    reply_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    examples = []
    for prompt in prompts:
        # the end of the prompt is enough to learn "answer after the field's label", and
        # rotary positions carry it over to the full prompt
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"][-CONTEXT:]
        examples.append(
            (torch.tensor([ids + reply_ids]), torch.tensor([[-100] * len(ids) + reply_ids]))
        )
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(steps):
        inputs, labels = examples[step % len(examples)]
        loss = model(input_ids=inputs, labels=labels).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    model.eval()
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return float(loss.detach())


def register_as_default(folder: Path) -> str:
    """Register the model and make it the default copy model (in this test's app home)."""
    from generators.registry import add_local_model
    from studio.core.settings import load_settings, save_settings

    add_local_model(folder, "copy", "llama", model_id=MODEL_ID)
    settings = load_settings()
    settings.default_models["copy"] = MODEL_ID
    save_settings(settings)
    return MODEL_ID
