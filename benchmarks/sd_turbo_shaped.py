"""An SD-Turbo-shaped pipeline: the real SD-Turbo component configs with random weights.

Compute time depends on tensor shapes, not on weight values, so this measures what the
real model costs without downloading it. The configs are those of
``stabilityai/sd-turbo`` (``unet/``, ``text_encoder/``, ``vae/``, ``scheduler/``
``config.json``): an SD 2.1-style UNet (865M parameters) with linear-projection
transformers and 1024-d cross-attention, the 23-layer OpenCLIP ViT-H text tower, the
standard 4-channel KL autoencoder, and Euler with trailing timesteps.

Weights are created on the meta device and filled with scaled normal noise, which is
several times quicker than the modules' own initialisers and keeps activations finite
(denormals or infinities would distort timings).

    from benchmarks.sd_turbo_shaped import build_sd_turbo_pipeline, build_taesd
    pipe = build_sd_turbo_pipeline()             # StableDiffusionPipeline, fp32, CPU
    img2img = build_sd_turbo_pipeline(img2img=True)
"""

from __future__ import annotations

from typing import Any

UNET_CONFIG: dict[str, Any] = {
    "act_fn": "silu",
    "attention_head_dim": [5, 10, 20, 20],
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 1024,
    "down_block_types": [
        "CrossAttnDownBlock2D",
        "CrossAttnDownBlock2D",
        "CrossAttnDownBlock2D",
        "DownBlock2D",
    ],
    "downsample_padding": 1,
    "dual_cross_attention": False,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "num_class_embeds": None,
    "only_cross_attention": False,
    "out_channels": 4,
    "sample_size": 64,
    "up_block_types": [
        "UpBlock2D",
        "CrossAttnUpBlock2D",
        "CrossAttnUpBlock2D",
        "CrossAttnUpBlock2D",
    ],
    "use_linear_projection": True,
}

TEXT_ENCODER_CONFIG: dict[str, Any] = {
    "attention_dropout": 0.0,
    "bos_token_id": 0,
    "dropout": 0.0,
    "eos_token_id": 2,
    "hidden_act": "gelu",
    "hidden_size": 1024,
    "initializer_factor": 1.0,
    "initializer_range": 0.02,
    "intermediate_size": 4096,
    "layer_norm_eps": 1e-05,
    "max_position_embeddings": 77,
    "num_attention_heads": 16,
    "num_hidden_layers": 23,
    "pad_token_id": 1,
    "projection_dim": 512,
    "vocab_size": 49408,
}

VAE_CONFIG: dict[str, Any] = {
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 768,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
    "scaling_factor": 0.18215,
}

SCHEDULER_CONFIG: dict[str, Any] = {
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "interpolation_type": "linear",
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "steps_offset": 1,
    "timestep_spacing": "trailing",
    "use_karras_sigmas": False,
}


def _materialise(module: Any, seed: int) -> Any:
    """Give a meta-device module real, well-scaled random parameters on the CPU."""
    import torch
    from accelerate.utils import set_module_tensor_to_device

    generator = torch.Generator().manual_seed(seed)
    for name, param in list(module.named_parameters()):
        if param.ndim >= 2:
            fan_in = param[0].numel()
            value = torch.randn(param.shape, generator=generator) * (1.0 / fan_in) ** 0.5
        elif name.endswith("weight"):
            value = torch.ones(param.shape)  # norm scales
        else:
            value = torch.zeros(param.shape)
        set_module_tensor_to_device(module, name, "cpu", value=value)
    return module.eval()


def build_clip_tokenizer() -> Any:
    """A byte-level CLIP tokenizer without merges (no download): enough to drive the text
    encoder, whose weights are random anyway."""
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for char in bytes_to_unicode().values():
        vocab.setdefault(char, len(vocab))
        vocab.setdefault(char + "</w>", len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)


def build_components(seed: int = 0) -> dict[str, Any]:
    import torch
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.set_flush_denormal(True)
    with init_empty_weights():
        unet = UNet2DConditionModel(**UNET_CONFIG)
        vae = AutoencoderKL(**VAE_CONFIG)
        text_encoder = CLIPTextModel(CLIPTextConfig(**TEXT_ENCODER_CONFIG))
    return {
        "unet": _materialise(unet, seed),
        "vae": _materialise(vae, seed + 1),
        "text_encoder": _materialise(text_encoder, seed + 2),
        # byte-level: prompts tokenise differently, but every prompt pads to 77 tokens
        "tokenizer": build_clip_tokenizer(),
        "scheduler": EulerDiscreteScheduler(**SCHEDULER_CONFIG),
        "safety_checker": None,
        "feature_extractor": None,
        "requires_safety_checker": False,
    }


def build_sd_turbo_pipeline(img2img: bool = False, seed: int = 0) -> Any:
    """A StableDiffusion(Img2Img)Pipeline with SD-Turbo's shapes, fp32 on the CPU."""
    from diffusers import StableDiffusionImg2ImgPipeline, StableDiffusionPipeline

    pipeline_class = StableDiffusionImg2ImgPipeline if img2img else StableDiffusionPipeline
    pipe = pipeline_class(**build_components(seed))
    pipe.set_progress_bar_config(disable=True)
    return pipe


def build_taesd(seed: int = 0) -> Any:
    """TAESD's architecture (diffusers' AutoencoderTiny defaults are madebyollin/taesd)."""
    from accelerate import init_empty_weights
    from diffusers import AutoencoderTiny

    with init_empty_weights():
        decoder = AutoencoderTiny()
    return _materialise(decoder, seed + 3)
