"""Tiny Wan transformer: forward and forward+backward time per sample at several batch sizes, analytic FLOPs
cross-checked with `torch.utils.flop_counter.FlopCounterMode`, and achieved FLOP/s as a fraction of a CPU fp32
matmul peak measured in the same run with the same thread count.

    python benchmarks/transformer_flops.py [--quick] [--threads N] [--batches 1 8 32]
"""
from __future__ import annotations
import argparse, sys
from pathlib import Path

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, setup_threads, describe_machine, timeit_interleaved, print_table  # noqa: E402
from teleboost_nb.backbone import make_generator, VideoGenerator  # noqa: E402


def token_counts(gen:VideoGenerator) -> tuple[int, int]:
    "Video tokens per sample (T·h/p·w/p after the patch embedding) and text tokens per prompt."
    C, T, h, w = gen.latent_shape()
    pt, ph, pw = gen.transformer.config.patch_size
    return (T // pt) * (h // ph) * (w // pw), gen.config.max_text_len


def analytic_flops(gen:VideoGenerator) -> dict[str, int]:
    "Forward matmul FLOPs per sample (2 per multiply-add), by part; norms, activations and RoPE are not counted."
    c = gen.transformer.config
    N, L = token_counts(gen)
    D, Fd, layers = c.num_attention_heads * c.attention_head_dim, c.ffn_dim, c.num_layers
    patch_in = c.in_channels * c.patch_size[0] * c.patch_size[1] * c.patch_size[2]
    patch_out = c.out_channels * c.patch_size[0] * c.patch_size[1] * c.patch_size[2]
    lin = lambda n, i, o: 2 * n * i * o  # noqa: E731
    return {
        'patch_embed': lin(N, patch_in, D),
        'self_attn_proj': layers * 4 * lin(N, D, D),              # q, k, v, out on video tokens
        'self_attn_sdpa': layers * 2 * (2 * N * N * D),            # scores QK^T and values AV: 2·N²·D each
        'cross_attn_proj': layers * (2 * lin(N, D, D) + 2 * lin(L, D, D)),  # q, out on video; k, v on text
        'cross_attn_sdpa': layers * 2 * (2 * N * L * D),
        'ffn': layers * (lin(N, D, Fd) + lin(N, Fd, D)),
        'proj_out': lin(N, D, patch_out),
        'embedders': lin(1, c.freq_dim, D) + lin(1, D, D) + lin(1, D, 6 * D) + lin(L, c.text_dim, D) + lin(L, D, D),
    }


def analytic_train_flops(gen:VideoGenerator, parts:dict[str, int]) -> int:
    """Forward+backward FLOPs per sample: backward = 2× forward (input grad + weight grad) for every matmul, less the
    input grads nobody needs: the first layers fed by non-trainable inputs (latents → patch embedding, sinusoidal
    timestep → time_embedder.linear_1, text context → text_embedder.linear_1)."""
    c = gen.transformer.config
    D, L = c.num_attention_heads * c.attention_head_dim, gen.config.max_text_len
    no_input_grad = parts['patch_embed'] + 2 * c.freq_dim * D + 2 * L * c.text_dim * D
    fwd = sum(parts.values())
    return 3 * fwd - no_input_grad


def inputs(gen:VideoGenerator, batch:int, seed:int=0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    "Random latents, noise levels and a (detached) text context for `batch` samples."
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((batch, *gen.latent_shape()), generator=g)
    s = torch.rand(batch, generator=g)
    with torch.no_grad(): ctx = gen.encode_prompts(["a small blue square falls"] * batch)
    return x, s, ctx


def counted_flops(gen:VideoGenerator, backward:bool, backend:SDPBackend|None) -> tuple[int, dict[str, int]]:
    "FlopCounterMode total and per-op FLOPs of one batch-1 forward (and backward), optionally forcing an SDPA backend."
    x, s, ctx = inputs(gen, 1)
    ctxs = [sdpa_kernel(backend)] if backend is not None else []
    with FlopCounterMode(display=False) as fc:
        for c in ctxs: c.__enter__()
        try:
            if backward: gen.velocity(x, s, ctx).square().mean().backward()
            else:
                with torch.no_grad(): gen.velocity(x, s, ctx)
        finally:
            for c in ctxs: c.__exit__(None, None, None)
    gen.transformer.zero_grad(set_to_none=True)
    return fc.get_total_flops(), {str(k).replace('aten.', ''): v for k, v in fc.get_flop_counts()['Global'].items()}


def matmul_fns(n:int, m:int, k:int, f:int) -> dict[str, callable]:
    "Closures of the reference matmuls: an fp32 n×n @ n×n 'peak' and an m×k @ k×f addmm (like nn.Linear), with their FLOPs."
    a, b = torch.randn(n, n), torch.randn(n, n)
    x, w, bias = torch.randn(m, k), torch.randn(k, f), torch.randn(f)
    return {'peak mm': lambda: torch.mm(a, b), 'shape mm': lambda: torch.addmm(bias, x, w)}, {'peak mm': 2 * n ** 3, 'shape mm': 2 * m * k * f}


def forward_fn(gen:VideoGenerator, batch:int, backend:SDPBackend|None=None):
    "A closure running one no-grad forward at `batch` (optionally forcing an SDPA backend)."
    x, s, ctx = inputs(gen, batch)
    def f():
        with torch.no_grad():
            if backend is None: gen.velocity(x, s, ctx)
            else:
                with sdpa_kernel(backend): gen.velocity(x, s, ctx)
    return f


def train_fn(gen:VideoGenerator, batch:int):
    "A closure running one forward+backward (MSE on the velocity) at `batch`, grads reset each call."
    x, s, ctx = inputs(gen, batch)
    def f():
        gen.transformer.zero_grad(set_to_none=True)
        gen.velocity(x, s, ctx).square().mean().backward()
    return f


def main(argv=None) -> None:
    "Run the benchmark and print the tables."
    p = add_common_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    p.add_argument('--batches', type=int, nargs='+', default=None, help="batch sizes (default 1 8 32; quick: 1 8)")
    p.add_argument('--peak-n', type=int, default=1024, help="size of the square peak matmul")
    a = p.parse_args(argv)
    threads = setup_threads(a.threads)
    batches = a.batches or ([1, 8] if a.quick else [1, 8, 32])
    warm, rep = a.warmup if a.warmup is not None else 1, a.repeats or (2 if a.quick else 7)
    print(describe_machine(threads))

    gen = make_generator('tiny', seed=0).train()  # dropout is 0: train() changes nothing numerically
    N, L = token_counts(gen)
    print(f"tiny transformer: {gen.num_params():,} params, latent {tuple(gen.latent_shape())}, "
          f"{N} video tokens per sample (patch {tuple(gen.transformer.config.patch_size)}), {L} text tokens; "
          f"text encoder ({gen.num_params('text_encoder'):,} params) not timed")

    parts = analytic_flops(gen)
    fwd, train = sum(parts.values()), analytic_train_flops(gen, parts)
    print_table([dict(part=k, MFLOP=v / 1e6, share=v / fwd) for k, v in parts.items()] +
                [dict(part='forward total', MFLOP=fwd / 1e6, share=1.0), dict(part='fwd+bwd total', MFLOP=train / 1e6, share=train / fwd)],
                specs=dict(MFLOP='.2f', share='.3f'), title="analytic matmul FLOPs per sample (2 per multiply-add)")

    rows = []
    for name, bwd, be in [('forward, default SDPA', False, None), ('forward, MATH SDPA', False, SDPBackend.MATH),
                          ('fwd+bwd, default SDPA', True, None), ('fwd+bwd, MATH SDPA', True, SDPBackend.MATH)]:
        tot, ops = counted_flops(gen, bwd, be)
        ref = train if bwd else fwd
        rows.append(dict(run=name, counted_MFLOP=tot / 1e6, analytic_MFLOP=ref / 1e6, counted_over_analytic=tot / ref,
                         ops=" ".join(f"{k}={v/1e6:.1f}M" for k, v in sorted(ops.items()))))
    print_table(rows, specs=dict(counted_MFLOP='.2f', analytic_MFLOP='.2f', counted_over_analytic='.3f'),
                title="FlopCounterMode cross-check, batch 1 (the CPU flash-attention op has no FLOP formula, so its FLOPs are missed)")

    D, Fd = gen.transformer.config.num_attention_heads * gen.transformer.config.attention_head_dim, gen.transformer.config.ffn_dim
    rows, crows = [], []
    for b in batches:
        mm, mm_flops = matmul_fns(a.peak_n, b * N, D, Fd)
        # interleaved rounds: the reference matmuls and the model see the same machine load
        r = timeit_interleaved({**mm, 'fwd': forward_fn(gen, b), 'train': train_fn(gen, b)}, warm, rep)
        peak = mm_flops['peak mm'] / r['peak mm']['median']
        tf, tt = r['fwd']['median'], r['train']['median']
        rows.append({'batch': b, 'fwd ms/sample': 1e3 * tf / b, 'fwd+bwd ms/sample': 1e3 * tt / b, 'fwd+bwd / fwd': tt / tf,
                     'peak GFLOP/s': peak / 1e9, 'fwd GFLOP/s': fwd * b / tf / 1e9, 'fwd / peak': fwd * b / tf / peak,
                     'fwd+bwd GFLOP/s': train * b / tt / 1e9, 'fwd+bwd / peak': train * b / tt / peak,
                     'FFN-shape mm / peak': mm_flops['shape mm'] / r['shape mm']['median'] / peak,
                     'cpu/wall': r['train']['cpu_per_wall']})
        cpeak, cf, ct = mm_flops['peak mm'] / r['peak mm']['cpu'], r['fwd']['cpu'], r['train']['cpu']
        crows.append({'batch': b, 'fwd cpu-ms/sample': 1e3 * cf / b, 'fwd+bwd cpu-ms/sample': 1e3 * ct / b, 'fwd+bwd / fwd': ct / cf,
                      'peak GFLOP/cpu-s': cpeak / 1e9, 'fwd / peak': fwd * b / cf / cpeak, 'fwd+bwd / peak': train * b / ct / cpeak,
                      'FFN-shape mm / peak': mm_flops['shape mm'] / r['shape mm']['cpu'] / cpeak})
    b1 = rows[0]
    for r in rows: r[f"fwd speed-up vs b{b1['batch']}"] = b1['fwd ms/sample'] / r['fwd ms/sample']
    print_table(rows, specs={k: '.2f' if 'ms' in k or 'GFLOP' in k or '/ fwd' in k or 'vs' in k or 'wall' in k else '.3f' for k in rows[0]},
                title=f"timing (median of {rep} interleaved rounds, {warm} warm-up; 'peak' = fp32 {a.peak_n}³ mm, "
                      f"'FFN-shape mm' = addmm (batch·{N})×{D} @ {D}×{Fd}, both timed in the same rounds; FLOP/s use the analytic "
                      f"counts; cpu/wall of fwd+bwd ≈ {threads} if the process had its cores)")
    print_table(crows, specs={k: '.2f' if 'ms' in k or 'GFLOP' in k or '/ fwd' in k else '.3f' for k in crows[0]},
                title="the same rounds by process CPU time (robust to other processes on a shared machine; "
                      "cpu-s = wall-s × threads when the threads are busy and uncontended)")

    bmax = batches[-1]
    r = timeit_interleaved({'default': forward_fn(gen, bmax), 'math': forward_fn(gen, bmax, SDPBackend.MATH)}, warm, rep)
    t_def, t_math = r['default']['median'], r['math']['median']
    print(f"\nSDPA backend at batch {bmax}: forward default (CPU flash) {1e3*t_def/bmax:.2f} ms/sample, MATH {1e3*t_math/bmax:.2f} ms/sample, "
          f"MATH/default = {t_math/t_def:.2f}")


if __name__ == '__main__':
    main()
