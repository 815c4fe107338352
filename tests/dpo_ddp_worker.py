"""One DPO run (2 optimizer steps, 2 accumulated micro-batches of 4 pairs each) per backward schedule; writes the
transformer's parameters to OUT/<schedule>_rank<r>.safetensors. Run plainly (one process) or under
`accelerate launch --num_processes 2 --cpu` (gloo DDP: each rank takes half of every micro-batch)."""
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from teleboost_nb.dpo import DPOConfig, SCHEDULES, synthetic_pairs, train_dpo
from teleboost_nb.stage0 import load_base_model, training_batch
from teleboost_nb.world import WorldConfig


def main(out:str, distributed:bool):
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    acc = None
    if distributed:
        from accelerate import Accelerator
        acc = Accelerator(cpu=True)
    rank = acc.process_index if acc else 0
    vids, prompts = training_batch(16, WorldConfig.tiny(), seed=5)
    pairs = synthetic_pairs(vids, prompts, seed=0)
    base = load_base_model()
    for sch in SCHEDULES:
        cfg = DPOConfig(schedule=sch, steps=2, batch_size=8, grad_accum=2, lr=1e-5, warmup=0, beta=2000.0, eval_clips=0, seed=3)
        res = train_dpo(cfg, init=base, pairs=pairs, show_progress=False, accelerator=acc)
        sd = {k: v.detach().contiguous() for k, v in res.generator.transformer.state_dict().items()}
        save_file(sd, str(Path(out)/f"{sch}_rank{rank}.safetensors"))
        if rank == 0: print(sch, 'loss', res.history['loss'], flush=True)
    # the synced gradient itself: one step of 2 micro-batches, each rank holding half of every micro-batch
    from teleboost_nb.dpo import dpo_backward, frozen_reference, make_dpo_batch, perturbed, DPOBatch, PairNoise
    policy, ref = perturbed(base, 0.05, seed=1), frozen_reference(base)
    ddp = acc.prepare_model(policy.transformer) if acc else None
    n, r = (acc.num_processes, acc.process_index) if acc else (1, 0)
    lat = policy.encode_videos(pairs.winners[:8]), policy.encode_videos(pairs.losers[:8])
    with torch.no_grad(): ctx = policy.encode_prompts(pairs.prompts[:8])
    g = torch.Generator().manual_seed(0)
    for sch in SCHEDULES:
        for p in policy.transformer.parameters(): p.grad = None
        for k in range(2):
            b = make_dpo_batch(lat[0][4 * k:4 * k + 4], lat[1][4 * k:4 * k + 4], ctx[4 * k:4 * k + 4], g)
            sl = slice(r * 4 // n, (r + 1) * 4 // n)
            b = DPOBatch(b.winners[sl], b.losers[sl], b.context[sl], PairNoise(b.noise.s[sl], b.noise.noise_w[sl], b.noise.noise_l[sl], True))
            dpo_backward(policy, ref, b, 50.0, sch, scale=0.5, ddp=ddp, sync=(k == 1))
        save_file({k_: p.grad.contiguous() for k_, p in policy.transformer.named_parameters()}, str(Path(out)/f"grad_{sch}_rank{rank}.safetensors"))
    if acc: acc.wait_for_everyone()


if __name__ == '__main__':
    main(sys.argv[1], distributed=len(sys.argv) > 2 and sys.argv[2] == 'ddp')
