"""Tiny Stable Diffusion pipelines built from configs, with no download.

They have the structure of the real thing (CLIP text encoder and tokenizer, conditional
UNet, VAE, scheduler, optionally a TAESD decoder) at a few thousand parameters, are saved
with ``save_pretrained`` and load through the same registry path as real models, so the
tests exercise the product's loading code; their pictures are noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TURBO_SCHEDULER = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "steps_offset": 1,
    "timestep_spacing": "trailing",
}


def build_clip_tokenizer() -> Any:
    """A byte-level CLIP tokenizer (no merges): every byte is a token, 514 ids in all."""
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for char in bytes_to_unicode().values():
        vocab.setdefault(char, len(vocab))
        vocab.setdefault(char + "</w>", len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)


def build_tiny_pipeline(seed: int = 0) -> Any:
    """A tiny text-to-image pipeline shaped like SD 1.x/2.x (as diffusers' own tests build)."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=4,
        norm_num_groups=4,
    )
    # four blocks give the real 8× latent scale, so TAESD and image sizes line up
    vae = AutoencoderKL(
        block_out_channels=(4, 4, 8, 8),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        norm_num_groups=4,
    )
    tokenizer = build_clip_tokenizer()
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=len(tokenizer),
            max_position_embeddings=77,
        )
    )
    return StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=EulerDiscreteScheduler(**TURBO_SCHEDULER),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def build_tiny_taesd(seed: int = 0) -> Any:
    """A tiny AutoencoderTiny with TAESD's interface (4 latent channels, 8× upscale)."""
    import torch
    from diffusers import AutoencoderTiny

    torch.manual_seed(seed)
    return AutoencoderTiny(
        encoder_block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        num_encoder_blocks=(1, 1, 1, 1),
        num_decoder_blocks=(1, 1, 1, 1),
        latent_channels=4,
    )


def save_tiny_models(folder: Path) -> tuple[Path, Path]:
    """Save a tiny pipeline and a tiny TAESD under ``folder``; returns their two folders."""
    pipeline_dir, decoder_dir = Path(folder) / "tiny-sd", Path(folder) / "tiny-taesd"
    build_tiny_pipeline().save_pretrained(pipeline_dir, safe_serialization=True)
    build_tiny_taesd().save_pretrained(decoder_dir, safe_serialization=True)
    return pipeline_dir, decoder_dir
