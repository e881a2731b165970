"""torch random draws: each (seed, counter) pair seeds its own torch Generator."""

import numpy as np
import torch

from lamina.backend.torch.core import to_torch_dtype


def _generator(seed_pair, device):
    seed, counter = (int(v) for v in np.asarray(torch.as_tensor(seed_pair).cpu()))
    gen = torch.Generator(device=device if device.type != "meta" else "cpu")
    gen.manual_seed((seed * 1_000_003 + counter * 7_919 + 1) % (2**63 - 1))
    return gen


def seed_engine(seed):
    torch.manual_seed(seed)


def random_draw(kind, shape, dtype, seed_pair, **p):
    device = torch.get_default_device()
    dt = to_torch_dtype(dtype)
    float_dt = dt if dt.is_floating_point else torch.float32
    if device.type == "meta":
        return torch.empty(shape, dtype=dt, device="meta")
    gen = _generator(seed_pair, device)
    if kind == "normal":
        out = torch.randn(shape, generator=gen, dtype=float_dt) * p["stddev"] + p["mean"]
    elif kind == "uniform":
        out = torch.rand(shape, generator=gen, dtype=float_dt) * (p["maxval"] - p["minval"]) \
            + p["minval"]
    elif kind == "truncated_normal":
        out = torch.empty(shape, dtype=float_dt)
        torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=gen)
        out = out * p["stddev"] + p["mean"]
    elif kind == "bernoulli":
        probs = torch.as_tensor(p["p"], dtype=torch.float32)
        out = torch.rand(shape, generator=gen) < probs
    elif kind == "binomial":
        counts = torch.as_tensor(p["counts"], dtype=torch.float32).expand(shape)
        probs = torch.as_tensor(p["probabilities"], dtype=torch.float32).expand(shape)
        out = torch.binomial(counts.contiguous(), probs.contiguous(), generator=gen)
    elif kind == "randint":
        out = torch.randint(int(p["minval"]), int(p["maxval"]), shape, generator=gen)
    elif kind == "gamma":
        out = _gamma(p["alpha"], shape, gen)
    elif kind == "beta":
        a, b = _gamma(p["alpha"], shape, gen), _gamma(p["beta"], shape, gen)
        out = a / (a + b)
    else:
        raise ValueError(f"random: unknown distribution {kind!r}")
    return out.to(dt)


def _gamma(alpha, shape, gen):
    alpha = torch.as_tensor(alpha, dtype=torch.float64).expand(shape).contiguous()
    return torch._standard_gamma(alpha, generator=gen)


def random_categorical(logits, num_samples, dtype, seed_pair):
    logits = torch.as_tensor(logits)
    if logits.device.type == "meta":
        return torch.empty((logits.shape[0], num_samples), dtype=to_torch_dtype(dtype),
                           device="meta")
    probs = torch.softmax(logits.float(), dim=-1)
    gen = _generator(seed_pair, logits.device)
    return torch.multinomial(probs, num_samples, replacement=True, generator=gen).to(
        to_torch_dtype(dtype))


def random_shuffle(x, axis, seed_pair):
    if x.device.type == "meta":
        return x
    gen = _generator(seed_pair, x.device)
    order = torch.randperm(x.shape[axis], generator=gen)
    return torch.index_select(x, axis, order)
