"""Video codecs and the world renderer, in clips/s: `PixelCodec` encode/decode at batch 256 (9×32×32 clips), the
procedural renderer (specs → float clips, as Stage 0's data stream), and optionally the tiny random `WanVAECodec`,
all printed as ratios to the pixel codec measured in the same run.

    python benchmarks/codec_throughput.py [--quick] [--threads N] [--batch 256] [--no-vae]
"""
from __future__ import annotations
import argparse, sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _common import add_common_args, setup_threads, describe_machine, timeit_interleaved, print_table  # noqa: E402
from teleboost_nb.backbone import PixelCodec, WanVAECodec, tiny_wan_vae, check_videos  # noqa: E402
from teleboost_nb.world import WorldConfig, sample_specs, render_batch  # noqa: E402
from teleboost_nb.stage0 import training_batch  # noqa: E402


def clips(world:WorldConfig, n:int, seed:int=0) -> torch.Tensor:
    "n rendered train-split clips, B×F×3×H×W in [0,1] (real content, so clamps and range checks see real data)."
    return training_batch(n, world, seed)[0]


def row(name:str, batch:int, t:float, ref:float|None=None) -> dict:
    "A table row: ms per batch, clips/s and the ratio of clips/s to a reference clips/s."
    cps = batch / t
    return {'what': name, 'batch': batch, 'ms/batch': 1e3 * t, 'clips/s': cps, 'ratio to pixel': cps / ref if ref else float('nan')}


@torch.no_grad()
def main(argv=None) -> None:
    "Run the benchmark and print the table."
    p = add_common_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    p.add_argument('--batch', type=int, default=256, help="clips per pixel-codec / renderer call")
    p.add_argument('--vae-batch', type=int, default=None, help="clips per tiny-WanVAE call (default 8; quick: 2)")
    p.add_argument('--no-vae', action='store_true', help="skip the tiny WanVAECodec comparison")
    a = p.parse_args(argv)
    threads = setup_threads(a.threads)
    warm, rep = a.warmup if a.warmup is not None else 1, a.repeats or (3 if a.quick else 9)
    B = 32 if a.quick and a.batch == 256 else a.batch
    print(describe_machine(threads))
    world = WorldConfig.tiny()
    codec = PixelCodec(4)
    v = clips(world, B)
    z = codec.encode(v)
    print(f"clips {tuple(v.shape[1:])} float32 ({v[0].numel()*4/1024:.0f} KiB each) → pixel latents {tuple(z.shape[1:])}")

    specs = sample_specs(B, 'train', 0, world)
    fns = {'PixelCodec.encode': lambda: codec.encode(v),
           '  of which check_videos (finite+range scan)': lambda: check_videos(v),
           'PixelCodec.decode': lambda: codec.decode(z),
           'world: sample_specs': lambda: sample_specs(B, 'train', 0, world),
           'world: render_batch': lambda: render_batch(specs, world, 0),
           'stage0.training_batch (specs+render+prompts)': lambda: training_batch(B, world, 0)}
    batch = {k: B for k in fns}
    if not a.no_vae:
        vb = a.vae_batch or (2 if a.quick else 8)
        vae = WanVAECodec(tiny_wan_vae(seed=0))
        vv = v[:vb]
        zv = vae.encode(vv)
        print(f"tiny WanVAECodec ({sum(q.numel() for q in vae.vae.parameters()):,} params, random weights): latents {tuple(zv.shape[1:])}")
        fns.update({'tiny WanVAECodec.encode': lambda: vae.encode(vv), 'tiny WanVAECodec.decode': lambda: vae.decode(zv)})
        batch.update({'tiny WanVAECodec.encode': vb, 'tiny WanVAECodec.decode': vb})
    r = timeit_interleaved(fns, warm, rep)  # interleaved rounds: every ratio compares calls made under the same load
    enc_cps, dec_cps = B / r['PixelCodec.encode']['median'], B / r['PixelCodec.decode']['median']
    rows = [{**row(k, batch[k], r[k]['median'], dec_cps if 'decode' in k else enc_cps), 'cpu/wall': r[k]['cpu_per_wall']} for k in fns]

    print_table(rows, specs={'ms/batch': '.2f', 'clips/s': '.0f', 'ratio to pixel': '.4f', 'cpu/wall': '.2f'},
                title=f"throughput (median of {rep} interleaved rounds, {warm} warm-up; 'ratio to pixel' = clips/s ÷ PixelCodec clips/s "
                      f"(encode for encode/world rows, decode for decode rows))")


if __name__ == '__main__':
    main()
