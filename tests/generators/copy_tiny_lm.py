"""A tiny causal LM and byte-level BPE tokenizer, built and trained locally in seconds.

The model is trained to answer every chat prompt with :data:`REPLY`, so tests can run
the whole copy path (prompt, batched sampling, constraints, ranking) on real weights
loaded through the registry, with a predictable answer.
"""

from __future__ import annotations

from pathlib import Path

REPLY = "Trail Runner GTX in green."
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
#: prompt tokens (from the end) the model is trained on
CONTEXT = 48
SPECIAL = ["<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]


def build_tokenizer(corpus: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(corpus, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|end|>", pad_token="<|end|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_tiny_model(folder: Path, prompts: list[str], *, family: str = "llama", steps: int = 60):
    """Train a 2-layer model to reply REPLY to ``prompts``; save it as safetensors."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tokenizer = build_tokenizer([*prompts, REPLY] * 3)
    vocab = len(tokenizer)
    if family == "llama":
        config = LlamaConfig(
            vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
            bos_token_id=None, tie_word_embeddings=True,
        )  # fmt: skip
        model = LlamaForCausalLM(config)
    else:
        config = GPT2Config(
            vocab_size=vocab, n_embd=64, n_layer=2, n_head=4, n_positions=2048,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.eos_token_id,
        )  # fmt: skip
        model = GPT2LMHeadModel(config)
    reply = tokenizer(REPLY + "<|end|>", add_special_tokens=False)["input_ids"]
    examples = []
    for prompt in prompts:
        # the end of the prompt is enough to learn "answer after <|assistant|>", and
        # rotary positions carry it over to the full prompt
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"][-CONTEXT:]
        examples.append((torch.tensor([ids + reply]), torch.tensor([[-100] * len(ids) + reply])))
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
