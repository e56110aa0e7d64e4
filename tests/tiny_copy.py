"""A tiny chat LM, trained locally in seconds to answer every copy prompt with REPLY.

REPLY is grounded in the demo's first product and fits every copy field's limit, so the
whole campaign path (copy → creative → variants → bundle) runs on real weights loaded
through the registry, with a predictable answer.
"""

from __future__ import annotations

from pathlib import Path

REPLY = "Try House Blend"
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SPECIAL = ["<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]
#: the end of a prompt is enough to learn "answer after <|assistant|>"; rotary positions
#: carry it over to the full prompts
PROMPT_TAILS = [
    "Write the headline for House Blend Beans.<|end|><|assistant|>",
    "Answer with the text only.<|end|><|assistant|>",
    "Write a call to action for the email.<|end|><|assistant|>",
    "Write the description for Earl Grey Lavender, in English.<|end|><|assistant|>",
]
MODEL_ID = "tiny-campaign-copy"
DEMO_CUSTOMERS = 300


def _session_root(factory) -> Path:
    """A folder shared by every test module of this pytest run."""
    root = factory.getbasetemp() / "campaign-builds"
    root.mkdir(exist_ok=True)
    return root


def tiny_copy_model_dir(factory) -> Path:
    """The tiny copy model, trained once per pytest run (``factory``: tmp_path_factory)."""
    folder = _session_root(factory) / "tiny-copy"
    if not (folder / "config.json").exists():
        build_tiny_copy_model(folder)
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


def build_tiny_copy_model(folder: Path, steps: int = 80) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    torch.manual_seed(0)
    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    core.train_from_iterator([*PROMPT_TAILS, REPLY] * 3, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|end|>", pad_token="<|end|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None, tie_word_embeddings=True,
    )  # fmt: skip
    model = LlamaForCausalLM(config)
    reply = tokenizer(REPLY + "<|end|>", add_special_tokens=False)["input_ids"]
    examples = []
    for tail in PROMPT_TAILS:
        ids = tokenizer(tail, add_special_tokens=False)["input_ids"]
        examples.append((torch.tensor([ids + reply]), torch.tensor([[-100] * len(ids) + reply])))
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(steps):
        inputs, labels = examples[step % len(examples)]
        model(input_ids=inputs, labels=labels).loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    model.eval()
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def register_as_default(folder: Path) -> str:
    """Register the model and make it the default copy model (in this test's app home)."""
    from generators.registry import add_local_model
    from studio.core.settings import load_settings, save_settings

    add_local_model(folder, "copy", "llama", model_id=MODEL_ID)
    settings = load_settings()
    settings.default_models["copy"] = MODEL_ID
    save_settings(settings)
    return MODEL_ID
